"""The timeline: one append-only Event per step."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.directory.models import Unit

from .handling import Assignment
from .labels import ACTION_LABELS
from .message import Message


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
