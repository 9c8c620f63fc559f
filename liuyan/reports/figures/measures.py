"""What a figure counts, as plain Python: one message's facts, the roll-up rows they add to, the
median from a histogram and Wilson's interval. No database here, so the rules are tested alone.

A message's **facts** (`Facts`) say where it belongs (its day, board, region chain, lead unit,
domain chain, type, channel, whether the public may see it) and how it went (accepted, on time,
working days taken, replied, rated, followed up, reopened, supervised). Its **contribution** is
the set of roll-up rows it adds to, each with the counts it adds. A lifecycle step recomputes
the facts, and the roll-ups change by contribution(new) - contribution(old): a message that moves
to another domain at screening leaves its old slice's rows and joins the new one's.

Each measure is dated by the message's submission (the cohort: "of March's messages, how many
were answered"), except `published`, dated by the day the first reply was published ("the
busiest month for replies").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

# Working-day buckets of the histograms: 0..15 one day each, then 16-20, 21-30, 31-60, 61+.
BUCKET_LOWS = (*range(16), 16, 21, 31, 61)
BUCKETS = len(BUCKET_LOWS)
ACCEPT_HIST = tuple(f"ah{i}" for i in range(BUCKETS))
REPLY_HIST = tuple(f"rh{i}" for i in range(BUCKETS))

# The counters of a roll-up row, in column order.
COUNTS = (
    "received",  # messages submitted
    "thrown_out",  # rejected or marked duplicate at screening
    "dispatched",  # sent to a unit at least once
    "accepted",  # accepted by a lead unit
    "accepted_on_time",  # accepted within the acceptance deadline
    "accept_days",  # sum of working days from dispatch to acceptance
    "replied",  # a reply was published
    "replied_on_time",  # published within the reply deadline (extensions included)
    "reply_days",  # sum of working days from acceptance to the published reply
    "published",  # first replies published on this day (dated by publication)
    "rated",  # the author rated the reply
    "satisfied",
    "solved",
    "follow_ups",  # follow-up questions
    "followed_up",  # messages with at least one follow-up
    "reopened",  # messages handled a second time (二次办理)
    "supervisions",  # supervision orders of any level
    "supervised",  # messages with at least one
    "listed",  # listed supervision orders (挂牌督办)
    "own",  # written by the handling unit's own staff (left out of rankings)
    # For rankings: the same, without the unit's own messages.
    "fair_dispatched",
    "fair_replied",
    "fair_on_time",
    "fair_rated",
    "fair_satisfied",
)
MEASURES = COUNTS + ACCEPT_HIST + REPLY_HIST

# Slices: what a row is about. `key` is text: an id, a level, a type or channel code.
# REGION_DOMAIN crosses a region (at every level) with a first-level domain, key "region:domain",
# so a leader sees what their own region writes about.
# For the annual report: REPLY_LEVEL is the region level of the unit that published the first
# reply (key "level"); REGION_LEVEL and REGION_REPLY_LEVEL cross a region (at every level) with
# the level of the board written to and with the replying unit's level (key "region:level").
ALL, LEVEL, REGION, BOARD, UNIT, DOMAIN, TYPE, CHANNEL, REGION_DOMAIN = (
    "all",
    "level",
    "region",
    "board",
    "unit",
    "domain",
    "type",
    "channel",
    "rdomain",
)
REPLY_LEVEL, REGION_LEVEL, REGION_REPLY_LEVEL = "rlevel", "rglevel", "rgrlevel"
SLICE_KINDS = (
    ALL,
    LEVEL,
    REGION,
    BOARD,
    UNIT,
    DOMAIN,
    TYPE,
    CHANNEL,
    REGION_DOMAIN,
    REPLY_LEVEL,
    REGION_LEVEL,
    REGION_REPLY_LEVEL,
)
DAY, WEEK, MONTH, YEAR = "d", "w", "m", "y"
PERIODS = (DAY, WEEK, MONTH, YEAR)
# The grain: the few platform-wide slices keep a row per day, week, month and year; the many
# fine ones (20,000 units, 3,300 regions …) a row per month and year, so that at 10 million
# messages the table holds a few million rows and a page still reads one row per figure.
DAILY_KINDS = frozenset({ALL, LEVEL, TYPE, CHANNEL})
COARSE_PERIODS = (MONTH, YEAR)
# The annual report's level breakdowns are read by year only: one row a year per slice.
YEARLY_KINDS = frozenset({REPLY_LEVEL, REGION_LEVEL, REGION_REPLY_LEVEL})


def periods_for(kind: str) -> tuple[str, ...]:
    if kind in DAILY_KINDS:
        return PERIODS
    return (YEAR,) if kind in YEARLY_KINDS else COARSE_PERIODS


# public, kind, key, period, start. `public` splits the audiences: a message counts in the
# public rows while the public may see it, in the others otherwise; public pages read the
# public rows, staff pages add both.
RowKey = tuple[bool, str, str, str, date]


def bucket(days: int) -> int:
    """The histogram bucket of a number of working days."""
    days = max(days, 0)
    for index in range(BUCKETS - 1, -1, -1):
        if days >= BUCKET_LOWS[index]:
            return index
    return 0  # pragma: no cover - days >= 0 always meets bucket 0


class Shape(NamedTuple):
    """What decides the roll-up rows a message adds to (its slices): shared by every message
    of one board, region, unit, domain, type, channel and replying level."""

    level: int
    regions: tuple[int, ...]
    board: int
    unit: int | None
    domains: tuple[int, ...]
    type: str
    channel: str
    reply_level: int | None

    def slices(self) -> Iterator[tuple[str, str]]:
        yield ALL, ""
        yield LEVEL, str(self.level)
        for region in self.regions:
            yield REGION, str(region)
        yield BOARD, str(self.board)
        if self.unit is not None:
            yield UNIT, str(self.unit)
        for domain in self.domains:
            yield DOMAIN, str(domain)
        if self.domains:
            for region in self.regions:
                yield REGION_DOMAIN, f"{region}:{self.domains[0]}"
        yield TYPE, self.type
        yield CHANNEL, self.channel
        if self.reply_level is not None:
            yield REPLY_LEVEL, str(self.reply_level)
        for region in self.regions:
            yield REGION_LEVEL, f"{region}:{self.level}"
            if self.reply_level is not None:
                yield REGION_REPLY_LEVEL, f"{region}:{self.reply_level}"


@dataclass(frozen=True)
class Facts:
    """One message as the figures see it."""

    day: date  # submitted, Asia/Shanghai
    is_public: bool  # the public may see it now
    level: int  # the level of the board's region: 1 province, 2 prefecture, 3 county
    board: int
    regions: tuple[int, ...]  # the message's region and those above it
    unit: int | None  # the current (or last) lead unit
    domains: tuple[int, ...]  # the domain and those above it
    type: str
    channel: str
    thrown_out: bool = False
    own: bool = False
    dispatched: bool = False
    accepted: bool = False
    accepted_on_time: bool = False
    accept_days: int | None = None
    replied: bool = False
    replied_on_time: bool = False
    reply_days: int | None = None
    reply_day: date | None = None
    reply_level: int | None = None  # the region level of the first reply's unit
    rated: bool = False
    satisfied: bool = False
    solved: bool = False
    follow_ups: int = 0
    reopened: bool = False
    supervisions: int = 0
    listed: int = 0

    @property
    def shape(self) -> Shape:
        return Shape(
            self.level,
            self.regions,
            self.board,
            self.unit,
            self.domains,
            self.type,
            self.channel,
            self.reply_level,
        )

    def slices(self) -> Iterator[tuple[str, str]]:
        return self.shape.slices()

    def cohort_counts(self) -> dict[str, int]:
        """What the message adds to the rows of its submission day."""
        fair = not self.own and not self.thrown_out
        counts = {
            "received": 1,
            "thrown_out": int(self.thrown_out),
            "dispatched": int(self.dispatched),
            "accepted": int(self.accepted),
            "accepted_on_time": int(self.accepted_on_time),
            "accept_days": self.accept_days or 0,
            "replied": int(self.replied),
            "replied_on_time": int(self.replied_on_time),
            "reply_days": self.reply_days or 0,
            "rated": int(self.rated),
            "satisfied": int(self.satisfied),
            "solved": int(self.solved),
            "follow_ups": self.follow_ups,
            "followed_up": int(self.follow_ups > 0),
            "reopened": int(self.reopened),
            "supervisions": self.supervisions,
            "supervised": int(self.supervisions > 0),
            "listed": self.listed,
            "own": int(self.own),
            "fair_dispatched": int(fair and self.dispatched),
            "fair_replied": int(fair and self.replied),
            "fair_on_time": int(fair and self.replied_on_time),
            "fair_rated": int(fair and self.rated),
            "fair_satisfied": int(fair and self.satisfied),
        }
        if self.accepted and self.accept_days is not None:
            counts[ACCEPT_HIST[bucket(self.accept_days)]] = 1
        if self.replied and self.reply_days is not None:
            counts[REPLY_HIST[bucket(self.reply_days)]] = 1
        return {name: value for name, value in counts.items() if value}


def period_start(period: str, day: date) -> date:
    if period == DAY:
        return day
    if period == WEEK:
        return day - timedelta(days=day.weekday())
    if period == MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def period_end(period: str, start: date) -> date:
    """The first day after the period that starts on `start`."""
    if period == DAY:
        return start + timedelta(days=1)
    if period == WEEK:
        return start + timedelta(days=7)
    if period == MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


Contribution = dict[RowKey, dict[str, int]]


def contribution(facts: Facts | None) -> Contribution:
    """Every roll-up row the message adds to, with what it adds."""
    return total_contribution([facts] if facts is not None else [])


def total_contribution(many: Iterable[Facts]) -> Contribution:
    """What many messages add, summed.

    Messages are summed in three steps, each over fewer and wider groups, so that a count is
    added once per group instead of once per message and row (a rebuild's chunk or an import's
    batch of a thousand messages adds to tens of thousands of rows, and this was most of the
    time of counting them): by day and *shape* (the slices a message adds to, shared by every
    message of one board, region, unit, domain, type and channel), then by period and shape,
    and only then into each slice's rows."""
    by_day: dict[tuple[bool, date, Shape], dict[str, int]] = defaultdict(dict)
    for facts in many:
        shape = facts.shape
        _add_counts(by_day[(facts.is_public, facts.day, shape)], facts.cohort_counts())
        if facts.reply_day is not None:
            row = by_day[(facts.is_public, facts.reply_day, shape)]
            row["published"] = row.get("published", 0) + 1
    by_period: dict[tuple[bool, str, date, Shape], dict[str, int]] = defaultdict(dict)
    for (public, day, shape), counts in by_day.items():
        for period in PERIODS:
            _add_counts(by_period[(public, period, period_start(period, day), shape)], counts)
    rows: Contribution = defaultdict(dict)
    for (public, period, start, shape), counts in by_period.items():
        for kind, key in _slices_by_period(shape)[period]:
            _add_counts(rows[(public, kind, key, period, start)], counts)
    return rows


def _add_counts(row: dict[str, int], counts: dict[str, int]) -> None:
    for name, value in counts.items():
        row[name] = row.get(name, 0) + value


@lru_cache(maxsize=4096)
def _slices_by_period(shape: Shape) -> dict[str, tuple[tuple[str, str], ...]]:
    """The slices of a shape, by the periods their rows are kept for (`periods_for`)."""
    slices = list(shape.slices())
    return {period: tuple(s for s in slices if period in periods_for(s[0])) for period in PERIODS}


def difference(new: Contribution, old: Contribution) -> Contribution:
    """new - old, keeping only the rows that change."""
    if not old:  # new messages (an import's batch): every count that is not 0 is a change
        delta = {key: {n: v for n, v in counts.items() if v} for key, counts in new.items()}
        return {key: change for key, change in delta.items() if change}
    delta = {}
    for key in set(new) | set(old):
        after, before = new.get(key, {}), old.get(key, {})
        change = {
            name: after.get(name, 0) - before.get(name, 0)
            for name in set(after) | set(before)
            if after.get(name, 0) != before.get(name, 0)
        }
        if change:
            delta[key] = change
    return delta


# --- reading the rows ---------------------------------------------------------------------


def median_from_histogram(counts: Iterable[int]) -> float | None:
    """The median of working days from the bucket counts: exact in the one-day buckets,
    interpolated inside the wider ones (16-20, 21-30, 31-60; 61+ reads as 61)."""
    counts = list(counts)
    total = sum(counts)
    if not total:
        return None
    half = total / 2
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= half:
            low = BUCKET_LOWS[index]
            if index + 1 >= BUCKETS:
                return float(low)
            width = BUCKET_LOWS[index + 1] - low
            if width == 1:
                return float(low)
            return round(low + (half - seen) / count * (width - 1), 1)
        seen += count
    return None  # pragma: no cover - the loop reaches half of a positive total


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's score interval for a proportion (95% by default): honest for small counts,
    where the plain ratio 3/3 = 100% would beat 980/1000."""
    if trials <= 0:
        return 0.0, 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def ratio(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None
