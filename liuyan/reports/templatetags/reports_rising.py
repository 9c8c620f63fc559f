"""`{% rising_topics_panel scope %}`: the rising-topics panel for a leader's or moderator's
dashboard (template `reports/rising/_panel.html`). Any dashboard includes it with one line:

    {% load reports_rising %}{% rising_topics_panel scope %}
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from liuyan.board.access import StaffScope

from ..rising import cached_rising_in, scope_region_ids

register = template.Library()


@register.inclusion_tag("reports/rising/_panel.html")
def rising_topics_panel(scope: StaffScope, limit: int = 8) -> dict:
    region_ids = scope_region_ids(scope)
    rows = cached_rising_in(region_ids=region_ids, now=timezone.now(), limit=limit)
    return {"rows": rows}
