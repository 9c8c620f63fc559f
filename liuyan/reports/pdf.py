"""HTML to PDF with WeasyPrint (the maintained HTML/CSS renderer for paged media; the Noto CJK
fonts come from Debian's fonts-noto-cjk, which the setup installs). Charts are inline SVG in the
HTML, which WeasyPrint draws as vectors, so the PDF needs no browser and no JavaScript."""

from __future__ import annotations

import logging
from pathlib import Path

from django.template.loader import render_to_string

# WeasyPrint reports every layout step at INFO: nothing a reader of our logs needs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PRINT_CSS = Path(__file__).resolve().parent / "static" / "reports" / "print.css"


def render_pdf(template: str, context: dict) -> bytes:
    # Imported here: it loads Pango, which no page but a PDF needs. It ships no type information.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(PRINT_CSS.parent)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )
