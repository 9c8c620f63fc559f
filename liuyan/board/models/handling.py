"""What units do with a message: assignments, replies, co-handling parts, extension requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.core import lifecycle
from liuyan.directory.models import Board, Unit

from .labels import ASSIGNMENT_STATE_LABELS, REPLY_STATE_LABELS, _choices
from .message import Message


class Assignment(models.Model):
    """One unit's duty on one message in one round (交办): lead or co-handling."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    # The message's board, copied when the row is written (a message never changes board), so
    # that a board's overdue assignments are read by index instead of joining every overdue
    # assignment of the country to the board's messages (the leader overview, issue #13).
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="+", db_index=False)
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
            # `liuyan tick`'s reminders read the deadlines of all units in a time range
            # (EXPLAIN: without these, a scan of every assignment); partial, so they hold only
            # the open assignments, a small share of the table.
            models.Index(
                fields=["accept_by"],
                condition=models.Q(state="pending"),
                name="asg_pending_accept_by",
            ),
            models.Index(
                fields=["reply_by"],
                condition=models.Q(state="accepted"),
                name="asg_accepted_reply_by",
            ),
            # A unit's finished tab in its order (the finished assignments grow with the years;
            # without it the tab sorted all of the unit's, 19,184 at 1M messages).
            models.Index(
                fields=["unit", "created_at", "id"],
                condition=models.Q(
                    state__in=sorted(s.value for s in lifecycle.FINISHED_ASSIGNMENT_STATES)
                ),
                name="asg_unit_finished",
            ),
            # A board's overdue assignments (the leader overview): open ones only, as above,
            # covering the count (an index-only scan: a board's rows are spread over the heap).
            models.Index(
                fields=["board", "accept_by"],
                include=["kind", "message"],
                condition=models.Q(state="pending"),
                name="asg_board_pending_accept_by",
            ),
            models.Index(
                fields=["board", "reply_by"],
                include=["kind", "message"],
                condition=models.Q(state="accepted"),
                name="asg_board_accepted_reply_by",
            ),
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
