"""Suggestion campaigns (人民建议征集): a call for ideas, the citizens' suggestions, their supports
(附议), the themes that group them and the units' decisions (采纳意见)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import REJECT_REASON_LABELS
from liuyan.core.lifecycle import RejectReason
from liuyan.directory.models import Board, Domain, Region, Unit

# The same reasons as for messages (liuyan.core.lifecycle.RejectReason), worded alike.
REJECT_REASON_CHOICES = [(reason.value, REJECT_REASON_LABELS[reason]) for reason in RejectReason]
IMAGE_TYPES = ("jpg", "jpeg", "png", "webp")
IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000


class Campaign(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    organiser_board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("organising board"),
    )
    organiser_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("organising region's office"),
        help_text=_("Either a board or a region organises the campaign."),
    )
    topics = models.ManyToManyField(Domain, blank=True, verbose_name=_("topics"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    image = models.FileField(
        _("image"),
        upload_to="campaigns/",
        blank=True,
        validators=[FileExtensionValidator(list(IMAGE_TYPES))],
        help_text=_("Optional: JPEG, PNG or WebP, at most 2 MB."),
    )
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        default=100,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A suggestion with this many supports gets a public response from the organiser."
        ),
    )
    response_days = models.PositiveSmallIntegerField(
        _("respond within (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (self.organiser_board_id is None) == (self.organiser_region_id is None):
            raise ValidationError(_("Choose either an organising board or a region, not both."))
        if None not in (self.starts_at, self.ends_at) and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A campaign ends after it starts.")})

    @property
    def region(self) -> Region:
        if self.organiser_board is not None:
            return self.organiser_board.region
        assert self.organiser_region is not None
        return self.organiser_region

    @property
    def organiser_name(self) -> str:
        if self.organiser_board is not None:
            return self.organiser_board.name
        return str(self.organiser_region.name) if self.organiser_region else ""

    def status_at(self, now: datetime) -> str:
        if now < self.starts_at:
            return self.Status.UPCOMING
        if now < self.ends_at:
            return self.Status.RUNNING
        return self.Status.CLOSED


class Theme(models.Model):
    """A group of similar suggestions, found by the insight engine and kept by the organiser."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=120)
    renamed = models.BooleanField(_("named by the organiser"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Suggestion(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting screening")
        PUBLISHED = "published", _("accepted")
        REJECTED = "rejected", _("rejected")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="suggestions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestions"
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("suggestion"))
    topic = models.ForeignKey(
        Domain, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("topic")
    )
    is_public = models.BooleanField(_("public"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    # What the public sees: masked when screened (liuyan.insight.masking), like a message.
    public_title = models.CharField(_("public title"), max_length=100, blank=True)
    public_body = models.TextField(_("public text"), blank=True)
    # The public words segmented for full-text search (liuyan.campaigns.search); PostgreSQL
    # derives its `search_vector` column from it, SQLite's triggers copy it into FTS5.
    search_text = models.TextField(blank=True, editable=False)
    reject_reason = models.CharField(
        _("reason"), max_length=20, choices=REJECT_REASON_CHOICES, blank=True
    )
    reject_note = models.CharField(_("note"), max_length=300, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    # Reached once, kept: the organiser owes a public response by the deadline even if some
    # supporters withdraw afterwards.
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    # The last reminder of the response deadline sent to the organiser (liuyan tick): each
    # stage goes out once.
    response_reminded = models.CharField(
        _("response reminder sent"),
        max_length=10,
        blank=True,
        choices=[("due_soon", _("deadline near")), ("overdue", _("deadline passed"))],
    )
    response = models.TextField(_("organiser's response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "status", "is_public"])]

    def __str__(self) -> str:
        return self.public_title or self.title

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.is_public


class Support(models.Model):
    """One citizen's backing of one suggestion (附议). Withdrawing keeps the row, so that the
    rate limit counts every change and a citizen never holds two."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(_("supported at"))
    changed_at = models.DateTimeField(_("changed at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="one_support_per_citizen")
        ]
        indexes = [models.Index(fields=["user", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.suggestion_id}"


class Decision(models.Model):
    """A unit's answer to one suggestion the organiser sent it (采纳意见)."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        PARTLY = "partly", _("partly adopted")
        REFERENCE = "reference", _("kept for reference")
        NOT_ADOPTED = "not_adopted", _("not adopted")

    ADOPTING = {Outcome.ADOPTED, Outcome.PARTLY}

    suggestion = models.OneToOneField(Suggestion, on_delete=models.CASCADE, related_name="decision")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="campaign_decisions", verbose_name=_("unit")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    change = models.TextField(_("what changed"), blank=True)
    change_link = models.URLField(_("link"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["unit", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.suggestion_id} · {self.unit} · {self.outcome or '—'}"

    @property
    def is_adopted(self) -> bool:
        return self.outcome in self.ADOPTING


def suggestion_image_path(instance: SuggestionImage, filename: str) -> str:
    # The stored name never comes from the uploader: it could carry personal data or a path.
    return f"suggestions/{instance.created_at:%Y/%m}/{instance.token}.{instance.extension}"


class SuggestionImage(models.Model):
    """An image attached to a suggestion by its author, re-encoded without its metadata; seen
    by whoever may see the suggestion (served through a view that asks campaigns.access)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="images")
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=60)
    file = models.FileField(upload_to=suggestion_image_path, max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.token
