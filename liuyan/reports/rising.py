"""Rising topics on the platform: counts per (top-level domain, region) for this week and the
previous weeks, read from the messages, judged by `liuyan.insight.rising`.

"This week" is the last seven days up to now (a rolling window, so that a Monday morning does not
compare half a day with whole weeks); the previous weeks are the seven-day windows before it.
The windows are one grouped query over an indexed range of `submitted_at`; a message counts for
its own region and every region above it, so a county's rise also shows in its city.

Read directly from messages for now; once the figures roll-ups (issue #15, `figures`) have a
weekly table per domain and region, `_window_counts` is the one function to move onto them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Coalesce

from liuyan.board.access import StaffScope, region_subtree_ids
from liuyan.board.models import Message
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import State
from liuyan.directory.models import Domain, Region
from liuyan.directory.selectors import region_paths
from liuyan.insight.rising import rising_topics

WEEKS_BACK = 8
THROWN_OUT = (State.REJECTED, State.DUPLICATE)


@dataclass(frozen=True)
class RisingRow:
    domain: Domain
    region: Region
    observed: int
    expected: float
    p_value: float
    since: datetime

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else 0.0


def _window_counts(
    now: datetime, weeks: int, region_ids: set[int] | None
) -> list[dict[tuple[int, int], int]]:
    """Messages per (top-level domain id, message region id) in each seven-day window before
    `now` (window k is [now - 7(k+1) days, now - 7k days)), for k < `weeks`: one grouped
    query over the whole range, the window told by a CASE (it was one query per window, each
    reading the range of every region of the country before filtering, issue #13)."""
    since = now - timedelta(days=7 * weeks)
    messages = Message.objects.filter(
        submitted_at__gte=since, submitted_at__lt=now, domain__isnull=False
    ).exclude(state__in=THROWN_OUT)
    if region_ids is not None:
        messages = messages.filter(region_id__in=region_ids)
    window = Case(
        *(
            When(submitted_at__gte=now - timedelta(days=7 * (k + 1)), then=Value(k))
            for k in range(weeks)
        ),
        output_field=IntegerField(),
    )
    rows = (
        messages.annotate(
            top=Coalesce("domain__parent__parent_id", "domain__parent_id", "domain_id"),
            window=window,
        )
        .values_list("window", "top", "region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    windows: list[dict[tuple[int, int], int]] = [{} for _ in range(weeks)]
    for k, top, region, n in rows:
        windows[k][(top, region)] = n
    return windows


def rising_in(
    *, region_ids: set[int] | None, now: datetime, limit: int = 10, weeks_back: int = WEEKS_BACK
) -> list[RisingRow]:
    """Significant rises among the regions `region_ids` (and the regions above them that lie
    inside the set); None: the whole platform."""
    paths = region_paths()
    windows = _window_counts(now, weeks_back + 1, region_ids)
    per_key: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * (weeks_back + 1))
    for k, window in enumerate(windows):
        for (domain_id, region_id), n in window.items():
            for ancestor in paths.get(region_id, (region_id,)):
                if region_ids is None or ancestor in region_ids:
                    per_key[(domain_id, ancestor)][k] += n
    history: dict[Hashable, tuple[Sequence[int], int]] = {
        key: (weeks[1:], weeks[0]) for key, weeks in per_key.items()
    }
    found = rising_topics(history)[:limit]
    pairs = [cast(tuple[int, int], topic.key) for topic in found]
    domains = Domain.objects.in_bulk({domain_id for domain_id, _ in pairs})
    regions = Region.objects.in_bulk({region_id for _, region_id in pairs})
    since = now - timedelta(days=7)
    rows = []
    for topic, (domain_id, region_id) in zip(found, pairs, strict=True):
        rows.append(
            RisingRow(
                domain=domains[domain_id],
                region=regions[region_id],
                observed=topic.observed,
                expected=topic.expected,
                p_value=topic.p_value,
                since=since,
            )
        )
    return rows


# The dashboards' panel is computed at most once an hour per set of regions (and size): the
# test runs over every message of the regions' last nine weeks, and a rise is a matter of days.
PANEL_CACHE_SECONDS = 3600


def cached_rising_in(*, region_ids: set[int] | None, now: datetime, limit: int) -> list[RisingRow]:
    """`rising_in` for the dashboards' panel, cached. The key names the exact set of regions
    (a digest of the sorted ids, or everywhere), so one region's topics are never shown to
    a leader of another; and the day, so that no answer outlives its day."""
    regions = "all" if region_ids is None else ",".join(map(str, sorted(region_ids)))
    digest = hashlib.sha256(regions.encode()).hexdigest()
    day = now.astimezone(SHANGHAI).date().isoformat()
    key = f"rising:v1:{digest}:{limit}:{day}"
    rows = cache.get(key)
    if rows is None:
        rows = rising_in(region_ids=region_ids, now=now, limit=limit)
        cache.set(key, rows, PANEL_CACHE_SECONDS)
    return rows


def scope_region_ids(scope: StaffScope) -> set[int] | None:
    """The regions a staff member's rising topics cover: everywhere for a moderator of the whole
    platform; else the regions they moderate or lead and the regions of their boards, with every
    region below. Only counts are shown, never a message's text, so no private text leaks."""
    if scope.moderates_everywhere:
        return None
    roots = set(scope.moderated_region_ids) | set(scope.leader_region_ids)
    roots |= set(
        Region.objects.filter(board__pk__in=scope.leader_board_ids).values_list("pk", flat=True)
    )
    return region_subtree_ids(roots) if roots else set()
