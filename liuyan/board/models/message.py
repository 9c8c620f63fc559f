"""Messages and everything that happens to them.

Models hold data and small derived properties. Every change of state is made by
`board.services`, which checks it with `liuyan.core.lifecycle` and appends an Event.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuyan.accounts.fields import EncryptedCharField, EncryptedEmailField, PhoneHashField
from liuyan.core import lifecycle
from liuyan.directory.models import Board, Domain, Region, Unit


def _choices(enum, labels: dict) -> list[tuple[str, str]]:
    return [(member.value, labels[member]) for member in enum]


STATE_LABELS = {
    lifecycle.State.SUBMITTED: _("awaiting screening"),
    lifecycle.State.REJECTED: _("not accepted"),
    lifecycle.State.DUPLICATE: _("duplicate"),
    lifecycle.State.DISPATCHED: _("dispatched"),
    lifecycle.State.ACCEPTED: _("being handled"),
    lifecycle.State.REPLY_REVIEW: _("reply under review"),
    lifecycle.State.REPLIED: _("replied"),
    lifecycle.State.REVIEW: _("under look-back"),
    lifecycle.State.REOPENED: _("reopened"),
    lifecycle.State.CLOSED: _("closed"),
}
ASSIGNMENT_STATE_LABELS = {
    lifecycle.AssignmentState.PENDING: _("waiting for acceptance"),
    lifecycle.AssignmentState.ACCEPTED: _("accepted"),
    lifecycle.AssignmentState.CONTRIBUTED: _("part given"),
    lifecycle.AssignmentState.DONE: _("done"),
    lifecycle.AssignmentState.RETURNED: _("returned"),
    lifecycle.AssignmentState.TRANSFERRED: _("transferred"),
    lifecycle.AssignmentState.CANCELLED: _("cancelled"),
}
REPLY_STATE_LABELS = {
    lifecycle.ReplyState.DRAFT: _("draft"),
    lifecycle.ReplyState.AWAITING_SIGNOFF: _("awaiting the head's sign-off"),
    lifecycle.ReplyState.UNDER_REVIEW: _("under review"),
    lifecycle.ReplyState.RETURNED: _("returned for revision"),
    lifecycle.ReplyState.PUBLISHED: _("published"),
}
ACTION_LABELS = {
    lifecycle.Action.SUBMIT: _("submitted"),
    lifecycle.Action.SCREEN: _("screened"),
    lifecycle.Action.REJECT: _("not accepted"),
    lifecycle.Action.MARK_DUPLICATE: _("marked as duplicate"),
    lifecycle.Action.DISPATCH: _("dispatched"),
    lifecycle.Action.REDISPATCH: _("dispatched again"),
    lifecycle.Action.ACCEPT: _("accepted"),
    lifecycle.Action.RETURN: _("returned to the platform"),
    lifecycle.Action.TRANSFER: _("transferred"),
    lifecycle.Action.INVITE_CO: _("co-handling units invited"),
    lifecycle.Action.CONTRIBUTE: _("co-handling part given"),
    lifecycle.Action.REQUEST_EXTENSION: _("extension requested"),
    lifecycle.Action.APPROVE_EXTENSION: _("extended"),
    lifecycle.Action.DENY_EXTENSION: _("extension denied"),
    lifecycle.Action.DRAFT_REPLY: _("reply drafted"),
    lifecycle.Action.SUBMIT_FOR_SIGNOFF: _("reply sent for sign-off"),
    lifecycle.Action.REFUSE_SIGNOFF: _("reply sent back by the head"),
    lifecycle.Action.SUBMIT_REPLY: _("reply submitted"),
    lifecycle.Action.SIGN_OFF: _("reply signed off"),
    lifecycle.Action.APPROVE_REPLY: _("replied"),
    lifecycle.Action.RETURN_REPLY: _("reply returned for revision"),
    lifecycle.Action.RATE_SATISFIED: _("rated: satisfied"),
    lifecycle.Action.RATE_UNSATISFIED: _("rated: not satisfied"),
    lifecycle.Action.FOLLOW_UP: _("follow-up question"),
    lifecycle.Action.THANK: _("thanks"),
    lifecycle.Action.REOPEN: _("reopened for a second round"),
    lifecycle.Action.CLOSE: _("closed"),
    lifecycle.Action.AUTO_CLOSE: _("closed after the rating period"),
    lifecycle.Action.SUPERVISE: _("put under supervision"),
    lifecycle.Action.INSTRUCT: _("leader's instruction"),
}
ROLE_LABELS = {
    lifecycle.Role.AUTHOR: _("the author"),
    lifecycle.Role.MODERATOR: _("moderators"),
    lifecycle.Role.HANDLER: _("the handling unit"),
    lifecycle.Role.HEAD: _("the unit head"),
    lifecycle.Role.LEADER: _("the board's leaders"),
    lifecycle.Role.OPERATOR: _("hotline operators"),
    lifecycle.Role.ADMIN: _("administrators"),
    lifecycle.Role.SYSTEM: _("the system"),
    lifecycle.Role.PUBLIC: _("the public"),
}
REJECT_REASON_LABELS = {
    lifecycle.RejectReason.SPAM: _("spam or advertising"),
    lifecycle.RejectReason.ABUSIVE: _("abusive language"),
    lifecycle.RejectReason.DUPLICATE: _("duplicate of another message"),
    lifecycle.RejectReason.NOT_ACTIONABLE: _("nothing actionable"),
    lifecycle.RejectReason.OUTSIDE_REMIT: _("outside government remit"),
    lifecycle.RejectReason.OTHER: _("other"),
}
SUPERVISION_LABELS = {
    lifecycle.SupervisionLevel.REMINDER: _("reminder"),
    lifecycle.SupervisionLevel.SUPERVISION: _("supervision"),
    lifecycle.SupervisionLevel.LISTED: _("listed supervision"),
}


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
            models.Index(fields=["state", "rate_by"], name="msg_state_rate_by"),
            models.Index(fields=["author", "-submitted_at"], name="msg_author"),
            models.Index(fields=["region", "-submitted_at"], name="msg_region"),
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


class Assignment(models.Model):
    """One unit's duty on one message in one round (交办): lead or co-handling."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    kind = models.CharField(
        max_length=4,
        choices=[("lead", _("lead")), ("co", _("co-handling"))],
        default=lifecycle.AssignmentKind.LEAD,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The assignment this one was transferred from."),
    )
    round = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(
        max_length=12,
        choices=_choices(lifecycle.AssignmentState, ASSIGNMENT_STATE_LABELS),
        default=lifecycle.AssignmentState.PENDING,
    )
    created_at = models.DateTimeField()
    accept_by = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    reply_by = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["unit", "state", "accept_by"], name="asg_unit_accept_by"),
            models.Index(fields=["unit", "state", "reply_by"], name="asg_unit_reply_by"),
            models.Index(fields=["message", "state"], name="asg_message_state"),
        ]

    def __str__(self) -> str:
        return f"{self.message.serial} → {self.unit} ({self.kind})"

    @property
    def is_active(self) -> bool:
        return self.state in lifecycle.ACTIVE_ASSIGNMENT_STATES

    @property
    def is_extended(self) -> bool:
        return self.extension_requests.filter(status="approved").exists()


class Reply(models.Model):
    """A unit's answer (答复); published after the moderators' review."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="replies", db_index=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    round = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(_("reply"))
    state = models.CharField(
        max_length=16,
        choices=_choices(lifecycle.ReplyState, REPLY_STATE_LABELS),
        default=lifecycle.ReplyState.DRAFT,
    )
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_off_replies",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_replies",
    )
    return_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="reply_state_submitted"),
            models.Index(fields=["unit", "state", "-published_at"], name="reply_unit_published"),
        ]

    def __str__(self) -> str:
        return f"{self.message.serial} · {self.unit}"


class Contribution(models.Model):
    """A co-handling unit's part, given to the lead unit for the final reply."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contributions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("contribution"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("co-handling contribution")
        verbose_name_plural = _("co-handling contributions")

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self._meta.verbose_name}"


class Evaluation(models.Model):
    """The author's rating of a published reply (评价), one per round."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="evaluations")
    round = models.PositiveSmallIntegerField(default=1)
    solved = models.BooleanField(_("solved"))
    attitude = models.PositiveSmallIntegerField(_("attitude"))
    speed = models.PositiveSmallIntegerField(_("speed"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["message", "round"], name="one_evaluation_per_round"),
            models.CheckConstraint(
                condition=models.Q(attitude__gte=1, attitude__lte=5, speed__gte=1, speed__lte=5),
                name="evaluation_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"

    @property
    def is_satisfied(self) -> bool:
        return lifecycle.is_satisfied(solved=self.solved, attitude=self.attitude, speed=self.speed)


class FollowUp(models.Model):
    """The author's later question on the same message (追问)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="follow_ups")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("follow-up"))
    public_body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"


class Thanks(models.Model):
    """The author's thanks (感谢)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="thanks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("thanks"))
    public_body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("thanks")
        verbose_name_plural = _("thanks")

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"


class ExtensionRequest(models.Model):
    """A unit's request for more time to reply, decided by moderators."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DENIED = "denied", _("denied")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    days = models.PositiveSmallIntegerField(_("working days"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        indexes = [models.Index(fields=["status", "created_at"], name="ext_status_created")]

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self._meta.verbose_name}"


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
        indexes = [models.Index(fields=["resolved_at", "due_at"], name="sup_open_due")]

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


def attachment_path(instance, filename: str) -> str:
    # The stored name never comes from the uploader: it could carry personal data or a path.
    return f"attachments/{instance.created_at:%Y/%m}/{instance.token}.{instance.extension}"


class Attachment(models.Model):
    """An image or document attached to a message (by its author) or to a reply (by a unit).

    Images are re-encoded and stripped of metadata (EXIF, GPS) before they are stored.
    """

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message__isnull=False) | models.Q(reply__isnull=False),
                name="attachment_belongs_somewhere",
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.token


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Events are append-only.")

    def delete(self):
        raise TypeError("Events are append-only.")


class Event(models.Model):
    """One line of a message's timeline (办理记录). Append-only: never updated or deleted."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField(help_text=_("Position in the message's timeline, from 1."))
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_role = models.CharField(max_length=10)
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14, blank=True)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    note = models.TextField(blank=True)
    is_public = models.BooleanField(
        default=True, help_text=_("Shown on the public timeline (internal notes are not).")
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["message", "seq"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["message", "seq"], name="event_unique_seq"),
        ]
        indexes = [models.Index(fields=["at"], name="event_at")]

    def __str__(self) -> str:
        return f"{self.message_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Events are append-only.")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


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
