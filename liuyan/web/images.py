"""Citizens' images, verified and re-encoded without their metadata: one routine for a message's
images (liuyan.portal.uploads) and a suggestion's (liuyan.campaigns.forms).

A phone photo carries EXIF: the camera, the time and often the GPS position of the citizen's home.
The uploaded bytes are never stored. Pillow must recognise the file as JPEG, PNG or WebP; it is
decoded, the EXIF orientation is applied to the pixels, and a fresh file is encoded with no EXIF,
XMP, ICC text or PNG text chunks.

Request plumbing only: this imports no liuyan app, so every app may use it.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a decompression bomb stops here, far above any phone camera
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def clean_image(upload: Any) -> tuple[bytes, str, str, int, int]:
    """The re-encoded bytes, extension, content type, width and height of an uploaded image."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("%(name)s is larger than 5 MB.") % {"name": upload.name}, code="too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()  # checks the file's structure without decoding every pixel
        if kind not in FORMATS:
            raise UnidentifiedImageError(kind)
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("%(name)s is too large.") % {"name": upload.name})
            image.load()
            return _reencode(image, kind)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": upload.name},
            code="not_an_image",
        ) from error


def _reencode(image: Image.Image, kind: str) -> tuple[bytes, str, str, int, int]:
    upright = ImageOps.exif_transpose(image)  # turn the pixels, since the EXIF tag goes away
    extension, content_type = FORMATS[kind]
    out = io.BytesIO()
    if kind == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
        upright.convert(mode).save(out, "PNG", optimize=True)
    else:
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
        upright.convert(mode).save(out, "WEBP", quality=85)
    return out.getvalue(), extension, content_type, upright.width, upright.height
