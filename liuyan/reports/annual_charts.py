"""Small server-side SVG charts for the annual report: grouped columns (months), horizontal bars
(top regions, top domains) and a 100 % bar (shares by region level).

Our own renderer rather than a library: the report needs three plain chart types that must come
out identical in the HTML page and in WeasyPrint's PDF, with CJK labels in the Noto fonts and
no JavaScript (the page's CSP forbids inline script; the PDF has none). matplotlib would bring
a large dependency, its own font handling for CJK and raster-like SVG paths for text; pygal is
not maintained actively. Presentation attributes only (no `style`), so the CSP's style rules
are not touched; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
COLOURS = ("#b3000c", "#e07b00", "#2b6cb0", "#2f855a", "#6b46c1")
INK, GRID, MUTED = "#222222", "#dddddd", "#666666"


def _svg(width: int, height: int, body: list[str], label: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(label)} '
        f'font-family={quoteattr(FONT)} font-size="12">'
    )
    return mark_safe(head + f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")  # noqa: S308  (every text above is escaped)


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def column_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, label: str
) -> SafeString:
    """Grouped columns, one group per label, one column per series, with a legend."""
    width, height = 640, 260
    left, right, top, bottom = 44, 10, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, values in series for v in values), default=0))
    body = []
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 4, y + 4, f"{value:g}", anchor="end", size=12, fill=MUTED))
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    for g, text in enumerate(labels):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_, values) in enumerate(series):
            value = values[g] if g < len(values) else 0
            h = plot_h * value / top_value
            body.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(text)} '
                f"{escape(series[s][0])} {value}</title></rect>"
            )
        body.append(
            _text(
                left + g * group_w + group_w / 2,
                height - bottom + 16,
                text,
                anchor="middle",
                size=10,
            )
        )
    x = left
    for s, (name, _) in enumerate(series):
        body.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>'
        )
        body.append(_text(x + 16, 17, name, size=14))
        x += 16 + 15 * len(name) + 20
    return _svg(width, height, body, label)


def bar_chart(
    rows: Sequence[tuple[str, int]], *, label: str, colour: str = COLOURS[0]
) -> SafeString:
    """Horizontal bars, largest first as given, the value at the end of each bar."""
    width, row_h, left, right = 640, 32, 170, 70
    height = max(len(rows), 1) * row_h + 8
    top_value = max((n for _, n in rows), default=0) or 1
    body = []
    for i, (name, n) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - left - right) * n / top_value
        body.append(_text(left - 8, y + 22, name[:10], anchor="end", size=16))
        body.append(
            f'<rect x="{left}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{colour}"/>'
        )
        body.append(_text(left + w + 6, y + 22, str(n), size=16))
    return _svg(width, height, body, label)


def share_bar(rows: Sequence[tuple[str, int]], *, label: str) -> SafeString:
    """One 100 % bar split by share, with a legend giving each part's percentage."""
    width, height = 640, 64
    total = sum(n for _, n in rows)
    body = []
    x = 0.0
    for i, (_, n) in enumerate(rows):
        w = width * n / total if total else 0
        if w:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
            )
        x += w
    x = 0
    for i, (name, n) in enumerate(rows):
        share = f"{100 * n / total:.1f}%" if total else "—"
        body.append(
            f'<rect x="{x}" y="40" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
        )
        text = f"{name} {share}"
        body.append(_text(x + 18, 53, text, size=15))
        x += 18 + 14 * len(text) + 12
    return _svg(width, height, body, label)
