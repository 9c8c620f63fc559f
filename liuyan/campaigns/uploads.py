"""Images attached to a suggestion: checked and re-encoded with Pillow (the EXIF block, with its
GPS position and camera serial, does not survive), as the portal does for a message's images.
The portal's helpers sit in a layer above campaigns, hence this small module of its own."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGES = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def clean_image(upload) -> tuple[bytes, str, str]:
    """The re-encoded bytes, extension and content type of an uploaded image."""
    not_an_image = _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": upload.name}
    if upload.size > MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than 5 MB.") % {"name": upload.name})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        if kind not in FORMATS:
            raise ValidationError(not_an_image)
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("%(name)s is too large.") % {"name": upload.name})
            image.load()
            upright = ImageOps.exif_transpose(image)
            mode = "RGB" if kind == "JPEG" or upright.mode not in ("RGBA", "LA", "P") else "RGBA"
            out = io.BytesIO()
            upright.convert(mode).save(out, kind, quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(not_an_image) from error
    extension, content_type = FORMATS[kind]
    return out.getvalue(), extension, content_type
