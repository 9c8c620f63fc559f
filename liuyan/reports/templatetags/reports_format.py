"""Number formats of the reports."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.1234 -> "12.3%"; a growth keeps its sign: -0.05 -> "-5.0%"."""
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f}%"
