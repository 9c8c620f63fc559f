"""The message itself, the citizen's contact details, and the day counter its serial comes from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuyan.accounts.fields import EncryptedCharField, EncryptedEmailField, PhoneHashField
from liuyan.core import lifecycle
from liuyan.directory.models import Board, Domain, Region

from .labels import REJECT_REASON_LABELS, STATE_LABELS, _choices


class Message(models.Model):
    """What a citizen wrote (留言)."""

    class Type(models.TextChoices):
        COMPLAINT = "complaint", _("complaint")
        HELP = "help", _("request for help")
        CONSULTATION = "consultation", _("consultation")
        SUGGESTION = "suggestion", _("suggestion")

    class Channel(models.TextChoices):
        WEB = "web", _("website")
        MOBILE = "mobile", _("mobile")
        HOTLINE = "hotline", _("hotline")
        MAILBOX = "mailbox", _("mailbox")
        API = "api", _("API")
        IMPORT = "import", _("import")

    serial = models.CharField(_("serial number"), max_length=20, unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("author"),
        db_index=False,  # covered by msg_author
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entered_messages",
        help_text=_("The hotline operator who entered it for a caller."),
    )
    # The single-column indexes Django would add are covered by the composite ones below.
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, verbose_name=_("board"), db_index=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, verbose_name=_("region"), db_index=False
    )
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("domain")
    )
    type = models.CharField(_("type"), max_length=14, choices=Type.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default="web")
    title = models.CharField(_("title"), max_length=50)
    body = models.TextField(_("body"))
    # What the public sees: personal data masked at submission, editable by moderators.
    public_title = models.CharField(_("public title"), max_length=60)
    public_body = models.TextField(_("public body"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(
        _("status"),
        max_length=14,
        choices=_choices(lifecycle.State, STATE_LABELS),
        default=lifecycle.State.SUBMITTED,
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    reject_reason = models.CharField(
        max_length=16, blank=True, choices=_choices(lifecycle.RejectReason, REJECT_REASON_LABELS)
    )
    reject_note = models.TextField(blank=True)
    likes = models.PositiveIntegerField(default=0)
    # Public title and body (and, once published, the reply) segmented with rjieba and
    # normalised to simplified characters: what full-text search indexes.
    search_text = models.TextField(blank=True, editable=False)

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    screen_by = models.DateTimeField(_("screen by"), null=True, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    rate_by = models.DateTimeField(_("rate by"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # Public lists per board and overall, newest first, keyset paginated.
            models.Index(
                fields=["board", "is_public", "-submitted_at", "-id"], name="msg_board_public"
            ),
            models.Index(fields=["is_public", "state", "-submitted_at"], name="msg_public_state"),
            models.Index(fields=["state", "screen_by"], name="msg_state_screen_by"),
            # The moderators' look-back queue in its keyset order (replied_at, id): a page
            # reads the first rows of the index instead of sorting every message under review.
            models.Index(
                fields=["replied_at", "id"],
                condition=models.Q(state="review"),
                name="msg_review_replied",
            ),
            models.Index(fields=["state", "rate_by"], name="msg_state_rate_by"),
            models.Index(fields=["author", "-submitted_at"], name="msg_author"),
            models.Index(fields=["region", "-submitted_at"], name="msg_region"),
            # A board's most recent messages, public or not (the desk's dispatch history).
            models.Index(fields=["board", "-submitted_at", "-id"], name="msg_board_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.public_title}"

    @property
    def lifecycle_state(self) -> lifecycle.State:
        return lifecycle.State(self.state)

    @property
    def is_terminal(self) -> bool:
        return lifecycle.is_terminal(self.lifecycle_state)


class MessageContact(models.Model):
    """How to reach the author. Kept apart from the message so nothing public can select it,
    and encrypted at rest (liuyan.accounts.crypto)."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="contact")
    # Encrypted at rest; a repeat caller is found by `phone_hash`.
    name = EncryptedCharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True)
    phone_hash = PhoneHashField(source="phone", db_index=True)
    email = EncryptedEmailField(_("e-mail"), max_length=254, blank=True)
    address = EncryptedCharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"


class SerialCounter(models.Model):
    """The last running number handed out on one day (Asia/Shanghai), for message serials.

    One row per day, incremented under its row lock inside the submitting transaction (see
    board.serials): two submissions in the same instant queue on the row instead of both reading
    the same highest serial.
    """

    day = models.DateField(_("day"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d} {self.last}"
