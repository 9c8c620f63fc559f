"""Supervision orders and leaders' instructions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.core import lifecycle

from .labels import SUPERVISION_LABELS, _choices
from .message import Message


class Supervision(models.Model):
    """An escalation on a message: reminder 催办, supervision 督办, listed 挂牌督办."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="supervisions")
    level = models.CharField(
        max_length=12, choices=_choices(lifecycle.SupervisionLevel, SUPERVISION_LABELS)
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        indexes = [
            models.Index(fields=["resolved_at", "due_at"], name="sup_open_due"),
            # The open supervisions in the desks' keyset order (due_at, id), so a page reads 26
            # rows instead of sorting every open supervision (11,237 at 1M messages).
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(resolved_at__isnull=True),
                name="sup_open_due_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"


class Instruction(models.Model):
    """A leader's written instruction on a message (批示)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("instruction"))
    is_public = models.BooleanField(_("show to the public"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"
