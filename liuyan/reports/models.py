"""Hot issues (热点问题): clusters of messages about one problem in one place and time.

Rows are computed by `reports.services.refresh_hot_issues` once a day and replaced as a whole;
nothing else writes them. Two views are computed separately: the staff view over every message
that was not thrown out (private ones included), and the public view over public messages only,
so a private message never shapes what the public sees.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message
from liuyan.directory.models import Region


class HotIssueRun(models.Model):
    """One daily computation; the newest finished run's issues are the ones shown."""

    # The Shanghai day of a daily run (unique: two overlapping ticks queue it once); None for
    # runs started by hand.
    day = models.DateField(null=True, blank=True, unique=True)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    staff_messages = models.PositiveIntegerField(default=0)
    public_messages = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hot issue run")
        verbose_name_plural = _("hot issue runs")
        indexes = [models.Index(fields=["-queued_at"], name="hotrun_queued")]

    def __str__(self) -> str:
        return f"{self.queued_at:%Y-%m-%d %H:%M}"


class HotIssue(models.Model):
    run = models.ForeignKey(HotIssueRun, on_delete=models.CASCADE, related_name="issues")
    is_public_view = models.BooleanField(_("public view"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    title = models.CharField(_("title"), max_length=100)
    # The message whose public title became the issue's title: shown only to who may see it.
    title_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("region")
    )
    heat = models.FloatField(_("heat"))
    first_at = models.DateTimeField(_("first message"))
    last_at = models.DateTimeField(_("last message"))
    message_count = models.PositiveIntegerField(_("messages"))
    author_count = models.PositiveIntegerField(_("authors"))
    likes = models.PositiveIntegerField(_("likes"))
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    computed_at = models.DateTimeField()
    # Spelled out because the plugin cannot infer a `through` model given by name.
    messages: models.ManyToManyField[Message, HotIssueMessage] = models.ManyToManyField(
        Message, through="HotIssueMessage", related_name="+"
    )

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["is_public_view", "rank"]
        indexes = [models.Index(fields=["is_public_view", "rank"], name="hot_view_rank")]

    def __str__(self) -> str:
        return self.title


class HotIssueMessage(models.Model):
    issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "message"], name="hot_issue_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}: {self.message_id}"


# The annual report's, the weekly digest's and the figures' models live in their own modules.
from .annual_models import AnnualCase  # noqa: E402
from .digest_models import (  # noqa: E402
    Digest,
    DigestItem,
    DigestItemMessage,
    ItemInstruction,
    ItemProgress,
)
from .figures.models import Figure, MessageFigures  # noqa: E402

__all__ = [
    "AnnualCase",
    "Digest",
    "DigestItem",
    "DigestItemMessage",
    "Figure",
    "HotIssue",
    "HotIssueMessage",
    "HotIssueRun",
    "ItemInstruction",
    "ItemProgress",
    "MessageFigures",
]
