"""The figures of the annual report 数说YYYY年网上群众工作, for the whole platform or one region.

Read from the figures roll-ups (`reports.figures`), never from the messages: a year row per
slice and a month row per month, so the report reads about a hundred `Figure` rows (fewer than
two hundred for a province with many prefectures) whatever the number of messages. Public and
staff rows are added: the report counts every message. The definitions, in one place:

- received: messages submitted in the year, except those rejected or marked duplicate
  (`received - thrown_out`);
- replied: messages whose first reply was published in the year (`published`, dated by the
  reply; a second round is not counted twice); reply rate: of the messages received in the
  year, the share answered so far (`replied`, dated by submission). Rejection and marking as a
  duplicate end a message before any unit sees it (`core.lifecycle`), so thrown-out messages
  have no replies or ratings to take away;
- shares by region level: of messages, by the level of the region of the board they were
  addressed to (slice `level`, or `rglevel` within a region); of replies, by the level of the
  region of the unit that published the first reply (`rlevel`, `rgrlevel`);
- busiest month: Shanghai months, for messages received and for first replies published;
- top regions: by the region one level below the report's (the provinces for the platform, the
  prefectures for a province …; a message addressed to the report's region itself counts for
  it: the region's row less its children's);
- top domains: first-level domains of the messages received (`domain`, or `rdomain` within a
  region);
- satisfaction: of the year's messages that were rated, the share whose latest rating is
  satisfied (solved, attitude and speed at least 3, `core.lifecycle.is_satisfied`), as in the
  三率 of the statistics pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from liuyan.board.access import PUBLIC_STATES
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import State
from liuyan.directory.models import Domain, Region

from .annual_models import AnnualCase
from .figures.measures import (
    ALL,
    DOMAIN,
    LEVEL,
    MONTH,
    REGION,
    REGION_DOMAIN,
    REGION_LEVEL,
    REGION_REPLY_LEVEL,
    REPLY_LEVEL,
    YEAR,
)
from .models import Figure

THROWN_OUT = (State.REJECTED, State.DUPLICATE)
TOP = 10
LEVELS = [level for level, _ in Region.Level.choices]
# The counters the report reads from each row.
READ = ("received", "thrown_out", "replied", "published", "rated", "satisfied")


def year_range(year: int) -> tuple[datetime, datetime]:
    """The year in Asia/Shanghai, as UTC-aware bounds [start, end)."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


@dataclass
class Ranked:
    name: str
    count: int
    share: float  # of the report's total, 0..1


@dataclass
class AnnualFigures:
    year: int
    region: Region | None
    received: int
    received_before: int
    replied: int
    replied_before: int
    answered_of_received: int
    messages_by_level: dict[int, int]
    replies_by_level: dict[int, int]
    messages_by_month: list[int]
    replies_by_month: list[int]
    top_regions_by_messages: list[Ranked]
    top_regions_by_replies: list[Ranked]
    top_domains: list[Ranked]
    ratings: int
    satisfied: int
    cases: list[AnnualCase] = field(default_factory=list)

    @property
    def title(self) -> str:
        where = self.region.name if self.region else ""
        return f"数说{self.year}年{where}网上群众工作"

    @staticmethod
    def _growth(now: int, before: int) -> float | None:
        return (now - before) / before if before else None

    @property
    def received_growth(self) -> float | None:
        return self._growth(self.received, self.received_before)

    @property
    def replied_growth(self) -> float | None:
        return self._growth(self.replied, self.replied_before)

    @property
    def reply_rate(self) -> float | None:
        return self.answered_of_received / self.received if self.received else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None

    @staticmethod
    def _busiest(months: list[int]) -> int | None:
        return months.index(max(months)) + 1 if any(months) else None

    @property
    def busiest_month_messages(self) -> int | None:
        return self._busiest(self.messages_by_month)

    @property
    def busiest_month_replies(self) -> int | None:
        return self._busiest(self.replies_by_month)

    def level_shares(self, counts: dict[int, int]) -> list[Ranked]:
        total = sum(counts.values())
        return [
            Ranked(str(label), counts.get(level, 0), counts.get(level, 0) / total if total else 0)
            for level, label in Region.Level.choices
        ]

    @property
    def message_level_shares(self) -> list[Ranked]:
        return self.level_shares(self.messages_by_level)

    @property
    def reply_level_shares(self) -> list[Ranked]:
        return self.level_shares(self.replies_by_level)


Rows = dict[tuple[str, date], dict[str, int]]


def _rows(kind: str, keys: Iterable[str], period: str, starts: Iterable[date]) -> Rows:
    """The counters of the slices `keys` of `kind` over the periods `starts`, the public and
    the staff rows added: one indexed read of the roll-up table (its unique key)."""
    keys, starts = list(keys), list(starts)
    found: Rows = defaultdict(lambda: dict.fromkeys(READ, 0))
    if not keys or not starts:
        return found
    for row in Figure.objects.filter(
        kind=kind, key__in=keys, period=period, start__in=starts
    ).values_list("key", "start", *READ):
        counts = found[(row[0], row[1])]
        for name, value in zip(READ, row[2:], strict=True):
            counts[name] += value
    return found


def _kept(counts: dict[str, int]) -> int:
    """Messages received, less those thrown out at screening."""
    return counts["received"] - counts["thrown_out"]


def _ranked(counts: dict[int, int], names: dict[int, str], total: int) -> list[Ranked]:
    """The TOP largest non-zero counts, largest first (ties by id, as the old report's
    database order did not promise any)."""
    ordered = sorted(((n, key) for key, n in counts.items() if n > 0), key=lambda x: (-x[0], x[1]))
    return [Ranked(names.get(key, "?"), n, n / total if total else 0.0) for n, key in ordered[:TOP]]


def annual_figures(*, year: int, region: Region | None = None) -> AnnualFigures:
    this, before = date(year, 1, 1), date(year - 1, 1, 1)
    months = [date(year, m, 1) for m in range(1, 13)]
    if region is None:
        whole_kind, whole_key = ALL, ""
        level_kind, reply_level_kind, domain_kind = LEVEL, REPLY_LEVEL, DOMAIN
        prefix = ""
        children = dict(Region.objects.filter(parent__isnull=True).values_list("pk", "name"))
    else:
        whole_kind, whole_key = REGION, str(region.pk)
        level_kind, reply_level_kind = REGION_LEVEL, REGION_REPLY_LEVEL
        domain_kind, prefix = REGION_DOMAIN, f"{region.pk}:"
        children = dict(Region.objects.filter(parent=region).values_list("pk", "name"))

    totals = _rows(whole_kind, [whole_key], YEAR, [this, before])
    now, then = totals[(whole_key, this)], totals[(whole_key, before)]
    by_month = _rows(whole_kind, [whole_key], MONTH, months)
    messages_by_month = [_kept(by_month[(whole_key, m)]) for m in months]
    replies_by_month = [by_month[(whole_key, m)]["published"] for m in months]

    level_keys = {f"{prefix}{level}": level for level in LEVELS}
    by_level = _rows(level_kind, level_keys, YEAR, [this])
    by_reply_level = _rows(reply_level_kind, level_keys, YEAR, [this])
    messages_by_level = {
        level: n for key, level in level_keys.items() if (n := _kept(by_level[(key, this)]))
    }
    replies_by_level = {
        level: n
        for key, level in level_keys.items()
        if (n := by_reply_level[(key, this)]["published"])
    }

    # Top regions: the children's year rows; the report's own region keeps what is left.
    by_child = _rows(REGION, [str(pk) for pk in children], YEAR, [this])
    regions_by_messages = {pk: _kept(by_child[(str(pk), this)]) for pk in children}
    regions_by_replies = {pk: by_child[(str(pk), this)]["published"] for pk in children}
    names = dict(children)
    if region is not None:
        names[region.pk] = region.name
        regions_by_messages[region.pk] = _kept(now) - sum(regions_by_messages.values())
        regions_by_replies[region.pk] = now["published"] - sum(regions_by_replies.values())

    top_domains = dict(Domain.objects.filter(parent__isnull=True).values_list("pk", "name"))
    by_domain = _rows(domain_kind, [f"{prefix}{pk}" for pk in top_domains], YEAR, [this])
    domain_counts = {pk: _kept(by_domain[(f"{prefix}{pk}", this)]) for pk in top_domains}

    received = _kept(now)
    return AnnualFigures(
        year=year,
        region=region,
        received=received,
        received_before=_kept(then),
        replied=now["published"],
        replied_before=then["published"],
        answered_of_received=now["replied"],
        messages_by_level=messages_by_level,
        replies_by_level=replies_by_level,
        messages_by_month=messages_by_month,
        replies_by_month=replies_by_month,
        top_regions_by_messages=_ranked(regions_by_messages, names, received),
        top_regions_by_replies=_ranked(regions_by_replies, names, now["published"]),
        top_domains=_ranked(domain_counts, top_domains, received),
        ratings=now["rated"],
        satisfied=now["satisfied"],
        cases=public_cases(year=year, region=region),
    )


def public_cases(*, year: int, region: Region | None) -> list[AnnualCase]:
    """The moderators' chosen cases whose message the public may still see."""
    return list(
        AnnualCase.objects.filter(
            year=year,
            region=region,
            message__is_public=True,
            message__state__in=PUBLIC_STATES,
        ).select_related("message__board")
    )
