"""What people are told: in-app notifications, what they follow, e-mail/SMS deliveries, and the
log that makes deadline reminders go out once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Assignment, Event, Message
from liuyan.directory.models import Board


class Notification(models.Model):
    class Kind(models.TextChoices):
        PROGRESS = "progress", _("progress on a message")
        ASSIGNMENT = "assignment", _("new assignment")
        ATTENTION = "attention", _("needs a moderator")
        DUE_SOON = "due_soon", _("deadline tomorrow")
        OVERDUE = "overdue", _("deadline passed")
        DIGEST = "digest", _("weekly digest published")
        TASK = "task", _("work to do")
        SUPERVISION = "supervision", _("supervision")
        INSTRUCTION = "instruction", _("leader's instruction")
        CAMPAIGN = "campaign", _("suggestion campaign")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The timeline event that caused it: with the recipient, what makes dispatch idempotent.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=Q(event__isnull=False),
                name="notif_once_per_event_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Follow(models.Model):
    """A user follows one message or one board (never both in one row)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(message__isnull=True) ^ Q(board__isnull=True),
                name="follow_message_xor_board",
            ),
            models.UniqueConstraint(
                fields=["user", "message"],
                condition=Q(message__isnull=False),
                name="follow_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["user", "board"],
                condition=Q(board__isnull=False),
                name="follow_once_per_board",
            ),
        ]
        indexes = [
            models.Index(fields=["message", "user"], name="follow_message_user"),
            models.Index(fields=["board", "user"], name="follow_board_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.message_id or self.board_id}"


class Delivery(models.Model):
    """One notification sent over one outside channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set by the worker that claims it for sending. A delivery still "sending" after its lease
    # belongs to a worker that died mid-send: `liuyan tick` takes it back.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "attempts"], name="delivery_status"),
            # The sweep's look-up of abandoned claims: only rows still "sending".
            models.Index(
                fields=["lease_until"],
                condition=Q(status="sending"),
                name="delivery_sending_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.channel} · {self.status}"


class ChannelChoice(models.Model):
    """Which outside channels a person wants notifications by. Without a row: e-mail where they
    have an address, and text messages about their own messages (the defaults). The inbox
    always gets every notification."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by text message"), default=True)

    class Meta:
        verbose_name = _("notification channels")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return f"{self.user_id} · e-mail {self.email} · sms {self.sms}"


class ReminderLog(models.Model):
    """A deadline reminder already sent: one per assignment, kind and deadline."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("deadline tomorrow")
        OVERDUE = "overdue", _("deadline passed")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="reminder_logs"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The deadline reminded about: an extension moves it, and the new one is reminded again.
    deadline = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "deadline"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.kind} · {self.deadline:%Y-%m-%d %H:%M}"
