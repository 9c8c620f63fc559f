"""What the doors into the platform remember: which source row or e-mail became which message,
and mail that was refused (kept, never lost)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message


class ImportedMessage(models.Model):
    """A message loaded from another system's export: its id there, so that importing the
    same file again adds nothing."""

    source = models.CharField(_("source"), max_length=40)
    source_id = models.CharField(_("id in the source"), max_length=64)
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="import_record", verbose_name=_("message")
    )
    source_user = models.CharField(_("user in the source"), max_length=64, blank=True)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("imported message")
        verbose_name_plural = _("imported messages")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="import_unique_source_id")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class MailMessage(models.Model):
    """One e-mail taken in by mailbox intake, and the message it became or followed up."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("new message")
        FOLLOW_UP = "follow_up", _("follow-up")
        ANSWER = "answer", _("our answer")  # replies to it find the message

    mailbox = models.CharField(_("mailbox"), max_length=254)
    message_id_header = models.CharField(_("Message-ID"), max_length=998, db_index=True)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="mails", verbose_name=_("message")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sender = models.EmailField(_("sender"), max_length=254)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("e-mail taken in")
        verbose_name_plural = _("e-mails taken in")

    def __str__(self) -> str:
        return self.message_id_header


class QuarantinedMail(models.Model):
    """An e-mail that mailbox intake refused: spam, too large, or not readable. The raw bytes
    are kept, so an administrator can look and nothing is lost."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("spam")
        OVERSIZED = "oversized", _("too large")
        MALFORMED = "malformed", _("malformed")
        NO_BOARD = "no_board", _("addressed to no board")
        INVALID = "invalid", _("not a valid message")

    mailbox = models.CharField(_("mailbox"), max_length=254)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    message_id_header = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # The whole e-mail, unless it is too large to keep in the database: then `kept_in` says
    # where it stays (the IMAP folder or the directory it was moved to).
    raw = models.BinaryField(_("raw message"), blank=True, default=b"")
    kept_in = models.CharField(_("kept in"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("quarantined e-mail")
        verbose_name_plural = _("quarantined e-mails")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.subject or self.message_id_header}"
