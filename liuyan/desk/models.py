"""The desk's own data: reply templates kept by units, and the phrases that mark a reply as
perfunctory. Messages, assignments and replies belong to `board` and change only there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.directory.models import Unit


class ReplyTemplate(models.Model):
    """A unit's saved reply text, managed by the unit head and used by its handlers."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="reply_templates", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["unit", "title", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="reply_template_unique_title")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class QualityPhrase(models.Model):
    """A phrase that usually means a reply passes the problem on instead of answering it.

    Moderators see a hint when a reply under review contains one; administrators edit the list.
    """

    phrase = models.CharField(_("phrase"), max_length=40, unique=True)
    advice = models.CharField(
        _("advice"),
        max_length=200,
        blank=True,
        help_text=_("Shown to the moderator next to the phrase, e.g. what a good reply says."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("reply quality phrase")
        verbose_name_plural = _("reply quality phrases")

    def __str__(self) -> str:
        return self.phrase
