"""Writes to the desk's own data (reply templates) and to reply attachments.

Message, assignment and reply state is never written here: that is `board.services`' job.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from liuyan.board.access import StaffScope
from liuyan.board.models import Attachment, Reply
from liuyan.core.lifecycle import EDITABLE_REPLY_STATES

from .models import ReplyTemplate

# --- reply templates ----------------------------------------------------------------------


def _require_head_of(scope: StaffScope, unit_id: int) -> None:
    if unit_id not in scope.headed_unit_ids:
        raise PermissionDenied(_("Only the unit head manages its reply templates."))


def _clean_template(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join((title or "").split()), (body or "").strip()
    errors = {}
    if not 2 <= len(title) <= 60:
        errors["title"] = _("Give the template a title of 2 to 60 characters.")
    if len(body) < 10:
        errors["body"] = _("The template text needs at least 10 characters.")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def save_reply_template(
    *,
    scope: StaffScope,
    unit_id: int,
    title: str,
    body: str,
    template_id: int | None = None,
    now: datetime | None = None,
) -> ReplyTemplate:
    """Create or update one of a unit's templates; only the unit head may."""
    _require_head_of(scope, unit_id)
    title, body = _clean_template(title, body)
    if template_id is None:
        template = ReplyTemplate(unit_id=unit_id)
    else:
        template = ReplyTemplate.objects.select_for_update().get(pk=template_id)
        _require_head_of(scope, template.unit_id)
        template.unit_id = unit_id
    clash = ReplyTemplate.objects.filter(unit_id=unit_id, title=title).exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError({"title": _("This unit already has a template with that title.")})
    template.title, template.body = title, body
    template.updated_by = scope.staff_user
    template.updated_at = now or timezone.now()
    template.save()
    return template


@transaction.atomic
def delete_reply_template(*, scope: StaffScope, template_id: int) -> None:
    template = ReplyTemplate.objects.select_for_update().get(pk=template_id)
    _require_head_of(scope, template.unit_id)
    template.delete()


# --- reply attachments --------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPLY = 5
MAX_IMAGE_PIXELS = 40_000_000  # larger is more likely a decompression bomb than a photo


@dataclass(frozen=True)
class Kind:
    content_type: str
    magic: tuple[bytes, ...]
    is_image: bool = False
    pillow_format: str = ""


ALLOWED_KINDS = {
    "jpg": Kind("image/jpeg", (b"\xff\xd8\xff",), True, "JPEG"),
    "jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",), True, "JPEG"),
    "png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",), True, "PNG"),
    "pdf": Kind("application/pdf", (b"%PDF-",)),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)
    ),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)
    ),
}


def _extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _kind_of(upload) -> tuple[str, Kind]:
    extension = _extension_of(upload.name or "")
    kind = ALLOWED_KINDS.get(extension)
    if kind is None:
        raise ValidationError(
            {"file": _("Attach JPG, PNG, PDF, DOCX or XLSX files only.")}, code="type"
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file may be at most 10 MB.")}, code="size")
    head = upload.read(16)
    upload.seek(0)
    # The name can lie; the first bytes say what the file really is.
    if not any(head.startswith(magic) for magic in kind.magic):
        raise ValidationError(
            {"file": _("The file's content does not match its type.")}, code="content"
        )
    return ("jpg" if extension == "jpeg" else extension), kind


def _clean_image(upload, kind: Kind) -> tuple[bytes, int, int]:
    """Re-encode the picture from its pixels only: EXIF (with GPS position, camera serial,
    time taken), comments and any trailing bytes are left behind. The EXIF orientation is
    applied first so that phone photos stay upright without it."""
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError({"file": _("The picture is too large.")}, code="size")
            upright = ImageOps.exif_transpose(image)
            mode = (
                "RGB"
                if kind.pillow_format == "JPEG" or upright.mode not in ("RGB", "RGBA", "L")
                else upright.mode
            )
            pixels = upright.convert(mode)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError({"file": _("The picture cannot be read.")}, code="content") from error
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    options = {"quality": 90} if kind.pillow_format == "JPEG" else {}
    clean.save(out, format=kind.pillow_format, **options)
    return out.getvalue(), clean.width, clean.height


@transaction.atomic
def attach_to_reply(*, reply: Reply, upload, actor, now: datetime | None = None) -> Attachment:
    """Store a file on a reply the unit is still writing; pictures lose their metadata."""
    at = now or timezone.now()
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    if reply.state not in EDITABLE_REPLY_STATES:
        raise ValidationError(_("Files can only be added while the reply is being written."))
    if reply.attachments.count() >= MAX_ATTACHMENTS_PER_REPLY:
        raise ValidationError(
            {"file": _("A reply may have at most %(n)d files.") % {"n": MAX_ATTACHMENTS_PER_REPLY}}
        )
    extension, kind = _kind_of(upload)
    width = height = None
    if kind.is_image:
        content, width, height = _clean_image(upload, kind)
    else:
        content = upload.read()
    attachment = Attachment(
        reply=reply,
        uploaded_by=actor,
        token=secrets.token_hex(16),
        extension=extension,
        original_name=(upload.name or "")[-200:],
        content_type=kind.content_type,
        size=len(content),
        width=width,
        height=height,
        created_at=at,
    )
    attachment.file.save(f"{attachment.token}.{extension}", ContentFile(content), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def remove_reply_attachment(*, attachment: Attachment) -> None:
    # Only a reply's attachments come here (the view looks them up by reply).
    reply = Reply.objects.select_for_update().get(pk=cast(int, attachment.reply_id))
    if reply.state not in EDITABLE_REPLY_STATES:
        raise ValidationError(_("Files can only be removed while the reply is being written."))
    attachment.file.delete(save=False)
    attachment.delete()
