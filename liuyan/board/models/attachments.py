"""Files attached to a message or a reply."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .handling import Reply
from .message import Message


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
