"""The weekly digest 民声摘报: numbered issues of hot and hard problems, leaders' instructions
(批示) on their items, and the progress reported on instructed items in later issues.

Written only by `reports.digest_services`. The messages themselves change only through the
board's lifecycle services: a 批示 on an item is recorded on each of its messages with
`board.services.instruct` and `board.services.supervise` (each leaves an Event); the rows here
link the digest to those Instruction and Supervision rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Instruction, Message, Supervision
from liuyan.directory.models import Region, Unit


class Digest(models.Model):
    """One issue (期) of the digest of one issuing office (the region's 网上群众工作部)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # Given at publication: 第N期, counted per region and year.
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period to"))
    foreword = models.TextField(_("foreword"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-number", "-created_at"]
        verbose_name = _("digest issue")
        verbose_name_plural = _("digest issues")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="digest_number_once_per_region_year",
            )
        ]
        indexes = [models.Index(fields=["region", "status", "-published_at"], name="digest_region")]

    def __str__(self) -> str:
        if self.number:
            return f"{self.region} {self.year}年第{self.number}期"
        return f"{self.region} {_('draft')}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class DigestItem(models.Model):
    """One item of an issue: a short summary of a problem, linked to its messages."""

    class Kind(models.TextChoices):
        HOT = "hot", _("hot issue")
        OVERDUE = "overdue", _("overdue")
        LISTED = "listed", _("listed supervision")
        FOLLOW_UPS = "follow_ups", _("many follow-ups")
        UNSATISFIED = "unsatisfied", _("unsatisfied rating")
        RISING = "rising", _("rising topic")
        OTHER = "other", _("other")

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("summary"))
    messages: models.ManyToManyField[Message, DigestItemMessage] = models.ManyToManyField(
        Message, through="DigestItemMessage", related_name="+"
    )

    class Meta:
        ordering = ["digest", "position", "id"]
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")

    def __str__(self) -> str:
        return self.title


class DigestItemMessage(models.Model):
    item = models.ForeignKey(DigestItem, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "message"], name="digest_item_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.message_id}"


class ItemInstruction(models.Model):
    """A leader's 批示 on a digest item: the units it names and the date it sets. The item's
    messages are put under supervision until then (the Instruction and Supervision rows)."""

    item = models.ForeignKey(DigestItem, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("instruction"))
    units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("responsible units"))
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField()
    board_instructions = models.ManyToManyField(Instruction, related_name="+")
    supervisions = models.ManyToManyField(Supervision, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("instruction on a digest item")
        verbose_name_plural = _("instructions on digest items")

    def __str__(self) -> str:
        return f"{self.item_id} · {self.body[:20]}"


class ItemProgress(models.Model):
    """前期批示件办理情况: what an issue reported, when published, on an instructed item of an
    earlier issue. Frozen at publication, so the issue says what was true that day; an item is
    reported in every issue until one reports it solved."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="progress")
    item = models.ForeignKey(DigestItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    solved = models.BooleanField(_("solved"))
    overdue = models.BooleanField(_("overdue"))
    messages_total = models.PositiveSmallIntegerField()
    messages_replied = models.PositiveSmallIntegerField()
    note = models.TextField(_("progress"), blank=True)

    class Meta:
        ordering = ["digest", "position"]
        verbose_name = _("progress on an earlier item")
        verbose_name_plural = _("progress on earlier items")
        constraints = [
            models.UniqueConstraint(fields=["digest", "item"], name="digest_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.item_id}"
