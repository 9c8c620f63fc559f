"""Reads of the roll-ups: what the statistics pages, dashboards, rankings, the home and board
pages read. Every function reads a few `Figure` rows (one per period and slice), never the
messages, so its cost does not grow with the number of messages.

For other reports (the annual report, the digest): `totals` for a year and a slice,
`series` for months of a year, `breakdown` for every region level, region, domain, unit … of
one period. `public=True` counts only what the public may see; staff pages pass False.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from .measures import (
    ACCEPT_HIST,
    ALL,
    MEASURES,
    MONTH,
    REPLY_HIST,
    YEAR,
    median_from_histogram,
    period_end,
    period_start,
    ratio,
)
from .models import Figure


@dataclass(frozen=True)
class Totals:
    """The counts of one slice over one period, and the rates made of them."""

    counts: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in MEASURES:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    def __bool__(self) -> bool:
        return bool(self.counts.get("received") or self.counts.get("published"))

    @property
    def handled(self) -> int:
        """Messages that were not thrown out at screening: what the rates are of."""
        return self.received - self.thrown_out

    @property
    def reply_rate(self) -> float | None:
        return ratio(self.replied, self.handled)

    @property
    def accept_on_time_rate(self) -> float | None:
        return ratio(self.accepted_on_time, self.accepted)

    @property
    def reply_on_time_rate(self) -> float | None:
        return ratio(self.replied_on_time, self.replied)

    @property
    def response_rate(self) -> float | None:
        """响应率: messages accepted within the deadline, of those dispatched."""
        return ratio(self.accepted_on_time, self.dispatched)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: rated replies whose author says the problem is solved."""
        return ratio(self.solved, self.rated)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: rated replies the author is satisfied with."""
        return ratio(self.satisfied, self.rated)

    @property
    def reopen_rate(self) -> float | None:
        return ratio(self.reopened, self.replied)

    @property
    def mean_accept_days(self) -> float | None:
        return round(self.accept_days / self.accepted, 1) if self.accepted else None

    @property
    def mean_reply_days(self) -> float | None:
        return round(self.reply_days / self.replied, 1) if self.replied else None

    @property
    def median_accept_days(self) -> float | None:
        return median_from_histogram(self.counts.get(name, 0) for name in ACCEPT_HIST)

    @property
    def median_reply_days(self) -> float | None:
        return median_from_histogram(self.counts.get(name, 0) for name in REPLY_HIST)


def _totals(rows: Iterable[dict]) -> Totals:
    counts: dict[str, int] = {}
    for row in rows:
        for name in MEASURES:
            if row.get(name):
                counts[name] = counts.get(name, 0) + row[name]
    return Totals(counts)


def _rows(public: bool, group: str, **filters) -> list[dict]:
    """Rows summed by `group` ("key" or "start"): the public rows only, or (staff) the public
    and the other rows together. Summed here rather than with SUM() in SQL: at most two rows
    per group, and 65 aggregate expressions cost the ORM more than the addition."""
    rows = Figure.objects.filter(**filters)
    if public:
        rows = rows.filter(public=True)
    summed: dict = {}
    for row in rows.values_list(group, *MEASURES):
        if row[0] not in summed:
            summed[row[0]] = {group: row[0], **dict(zip(MEASURES, row[1:], strict=True))}
        else:
            into = summed[row[0]]
            for name, value in zip(MEASURES, row[1:], strict=True):
                into[name] += value
    return list(summed.values())


def totals(
    kind: str = ALL, key: str = "", *, period: str = YEAR, start: date, public: bool
) -> Totals:
    """One slice over one period: one row (two for staff)."""
    return _totals(_rows(public, "key", kind=kind, key=key, period=period, start=start))


def all_time(kind: str = ALL, key: str = "", *, public: bool) -> Totals:
    """One slice since the first message: one row a year."""
    return _totals(_rows(public, "key", kind=kind, key=key, period=YEAR))


def series(
    kind: str = ALL, key: str = "", *, period: str = MONTH, since: date, until: date, public: bool
) -> list[tuple[date, Totals]]:
    """A row per period from `since` to before `until`, the empty ones included."""
    found = _rows(
        public, "start", kind=kind, key=key, period=period, start__gte=since, start__lt=until
    )
    rows = {row["start"]: _totals([row]) for row in found}
    result, current = [], period_start(period, since)
    while current < until:
        result.append((current, rows.get(current, Totals())))
        current = period_end(period, current)
    return result


def breakdown(
    kind: str, *, period: str = YEAR, start: date, public: bool, keys: Iterable[str] | None = None
) -> dict[str, Totals]:
    """Every slice of one kind (or the `keys` given) over one period: a row each."""
    filters: dict = {"kind": kind, "period": period, "start": start}
    if keys is not None:
        filters["key__in"] = list(keys)
    return {row["key"]: _totals([row]) for row in _rows(public, "key", **filters)}


def counters_by_key(
    kind: str,
    names: Iterable[str],
    *,
    period: str = YEAR,
    start: date,
    public: bool,
    keys: Iterable[str] | None = None,
) -> dict[str, dict[str, int]]:
    """A few counters of every slice of one kind over one period, summed in SQL.

    For pages that read three counters of thousands of slices (the rankings: every unit of the
    platform); `breakdown` would build all 65 measures of each, which at 6,000 units took most of
    the page's time."""
    names = list(names)
    rows = Figure.objects.filter(kind=kind, period=period, start=start)
    if public:
        rows = rows.filter(public=True)
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    summed = rows.values("key").annotate(**{f"sum_{name}": Sum(name) for name in names})
    return {row["key"]: {name: row[f"sum_{name}"] or 0 for name in names} for row in summed}


def breakdown_all_time(kind: str, *, keys: Iterable[str], public: bool) -> dict[str, Totals]:
    """Slices of one kind since the first message (the board and unit pages' headline)."""
    found = _rows(public, "key", kind=kind, key__in=list(keys), period=YEAR)
    return {row["key"]: _totals([row]) for row in found}


def first_year() -> int | None:
    """The first year with figures."""
    row = (
        Figure.objects.filter(kind=ALL, key="", period=YEAR)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    return row.year if row else None
