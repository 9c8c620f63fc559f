"""A QR code of the otpauth:// URI, so staff can scan their secret instead of typing it.

Drawn by the pure-Python `segno` package when it is installed; without it the enrolment page
shows the secret and the URI as text, which every authenticator app accepts too.
"""

from __future__ import annotations

import importlib.util

from django.utils.safestring import SafeString, mark_safe


def qr_available() -> bool:
    return importlib.util.find_spec("segno") is not None


def qr_svg(data: str) -> SafeString | None:
    """An inline SVG of `data` as a QR code, or None when segno is not installed."""
    if not qr_available():
        return None
    import segno

    svg = segno.make(data, error="m").svg_inline(scale=5)
    # segno writes the SVG itself from the encoded modules; nothing of `data` appears as text.
    return mark_safe(svg)  # noqa: S308
