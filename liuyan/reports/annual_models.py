"""Notable solved cases that moderators choose for the annual report (数说YYYY年网上群众工作)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message
from liuyan.directory.models import Region


class AnnualCase(models.Model):
    """A solved message shown as a case in one year's report of one region (None: the whole
    platform), with the moderator's short account of it (masked before it is shown)."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    summary = models.TextField(_("summary"))
    position = models.PositiveSmallIntegerField(default=0)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "position", "id"]
        verbose_name = _("annual report case")
        verbose_name_plural = _("annual report cases")
        constraints = [
            models.UniqueConstraint(fields=["year", "region", "message"], name="annual_case_once")
        ]
        indexes = [models.Index(fields=["year", "region"], name="annual_case_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.message_id}"
