"""Citizens' images: verified, re-encoded without metadata (liuyan.web.images, shared with the
suggestions of campaigns), kept as a draft, then attached. The stored name is a random token,
never the uploader's name.

Between the form, its preview and the final send, images wait in a draft folder under the media
root (never served) named by the one-time form token, so a validation error or the preview round
trip does not make the citizen choose the files again.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from liuyan.board.models import Attachment, Message
from liuyan.web.images import clean_image

MAX_IMAGES = 6
DRAFT_DIR = "drafts"


@dataclass(frozen=True)
class DraftImage:
    """An image already cleaned, waiting in the draft folder for the message to be sent."""

    key: str
    path: str
    extension: str
    content_type: str
    original_name: str
    size: int
    width: int
    height: int

    def as_session(self) -> dict:
        return asdict(self)


def stash_image(upload, *, form_token: str) -> DraftImage:
    data, extension, content_type, width, height = clean_image(upload)
    key = secrets.token_hex(8)
    path = default_storage.save(f"{DRAFT_DIR}/{form_token}/{key}.{extension}", ContentFile(data))
    return DraftImage(
        key=key,
        path=path,
        extension=extension,
        content_type=content_type,
        original_name=(upload.name or "")[-200:],
        size=len(data),
        width=width,
        height=height,
    )


def read_draft(image: DraftImage) -> bytes:
    with default_storage.open(image.path, "rb") as handle:
        return handle.read()


def discard_drafts(images: list[DraftImage]) -> None:
    for image in images:
        if default_storage.exists(image.path):
            default_storage.delete(image.path)


def attach_images(
    message: Message, images: list[DraftImage], *, user, now: datetime
) -> list[Attachment]:
    """Attachment rows for the draft images; call inside the transaction of submit_message so
    a message never exists without its images, nor images without their message."""
    attachments = []
    for image in images[:MAX_IMAGES]:
        attachment = Attachment(
            message=message,
            uploaded_by=user,
            token=secrets.token_hex(16),
            extension=image.extension,
            original_name=image.original_name,
            content_type=image.content_type,
            size=image.size,
            width=image.width,
            height=image.height,
            created_at=now,
        )
        attachment.file.save(f"x.{image.extension}", ContentFile(read_draft(image)), save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def discard_stale_drafts(*, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete draft images of forms nobody sent (for `liuyan tick`); returns how many."""
    if not default_storage.exists(DRAFT_DIR):
        return 0
    removed = 0
    folders, _ = default_storage.listdir(DRAFT_DIR)
    for folder in folders:
        _, names = default_storage.listdir(f"{DRAFT_DIR}/{folder}")
        for name in names:
            path = f"{DRAFT_DIR}/{folder}/{name}"
            if now - default_storage.get_modified_time(path) > older_than:
                default_storage.delete(path)
                removed += 1
    return removed
