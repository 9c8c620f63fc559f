"""The figures of the annual report 数说YYYY年网上群众工作, for the whole platform or one region.

Read straight from messages, replies and evaluations over indexed ranges of one year
(`Message.submitted_at`, `Reply.published_at`, `Evaluation.created_at`), grouped in the
database: a year at a million messages is a handful of grouped queries. When the figures
roll-ups land (issue #15, `figures`), `_counts` and friends are the functions to move onto them;
the report's definitions are here, in one place:

- received: messages submitted in the year, except those rejected or marked duplicate;
- replied: messages with a reply first published in the year (a second round is not counted
  twice); reply rate: of the messages received in the year, the share answered so far;
- shares by region level: of messages, by the level of the region of the board they were
  addressed to; of
  replies, by the level of the replying unit's region;
- busiest month: Shanghai months, for messages received and for replies published;
- top regions: by the region one level below the report's (the provinces for the platform, the
  prefectures for a province …; a message addressed to the report's region itself counts for it);
- top domains: first-level domains of the messages received;
- satisfaction: of the ratings given in the year, the share satisfied (solved, attitude and
  speed at least 3, `core.lifecycle.is_satisfied`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Coalesce, TruncMonth

from liuyan.board.access import PUBLIC_STATES, region_subtree_ids
from liuyan.board.models import Evaluation, Message, Reply
from liuyan.core import lifecycle
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import ReplyState, State
from liuyan.directory.models import Domain, Region
from liuyan.directory.selectors import region_paths

from .annual_models import AnnualCase

THROWN_OUT = (State.REJECTED, State.DUPLICATE)
TOP = 10


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


def _messages(region: Region | None) -> QuerySet[Message]:
    messages = Message.objects.exclude(state__in=THROWN_OUT)
    if region is not None:
        messages = messages.filter(region_id__in=region_subtree_ids({region.pk}))
    return messages


def _received(region: Region | None, year: int) -> QuerySet[Message]:
    start, end = year_range(year)
    return _messages(region).filter(submitted_at__gte=start, submitted_at__lt=end)


def _first_replies(region: Region | None, year: int) -> QuerySet:
    """Per message, its first published reply's time, for messages whose first reply falls in
    the year (grouped in the database)."""
    start, end = year_range(year)
    replies = Reply.objects.filter(state=ReplyState.PUBLISHED, published_at__isnull=False)
    if region is not None:
        replies = replies.filter(message__region_id__in=region_subtree_ids({region.pk}))
    replies = replies.exclude(message__state__in=THROWN_OUT)
    return (
        replies.values("message_id")
        .annotate(first=Min("published_at"))
        .filter(first__gte=start, first__lt=end)
    )


def _month(moment: datetime) -> int:
    return moment.astimezone(SHANGHAI).month


def _by_month(times) -> list[int]:
    months = [0] * 12
    for moment in times:
        months[_month(moment) - 1] += 1
    return months


def _group_of(paths: dict[int, tuple[int, ...]], root: Region | None):
    """The region a message's region counts for in the top regions: one level below `root`."""
    depth = len(paths[root.pk]) if root is not None else 0

    def group(region_id: int) -> int:
        path = paths.get(region_id, (region_id,))
        return path[depth] if len(path) > depth else path[-1]

    return group


def _ranked(counts: Counter, names: dict[int, str], total: int) -> list[Ranked]:
    return [
        Ranked(names.get(key, "?"), n, n / total if total else 0.0)
        for key, n in counts.most_common(TOP)
    ]


def annual_figures(*, year: int, region: Region | None = None) -> AnnualFigures:
    received_qs = _received(region, year)
    received = received_qs.count()
    received_before = _received(region, year - 1).count()

    # Per region (one grouped query), then per level and per top region in Python.
    per_region = Counter(
        dict(received_qs.values_list("region_id").annotate(n=Count("id")).order_by())
    )
    paths = region_paths()
    group = _group_of(paths, region)
    regions_by_messages: Counter = Counter()
    for region_id, n in per_region.items():
        regions_by_messages[group(region_id)] += n
    # Addressed to: the level of the board's region (a county's problem written to the
    # provincial governor is a message to the province).
    messages_by_level = Counter(
        dict(received_qs.values_list("board__region__level").annotate(n=Count("id")).order_by())
    )

    # Months of the year's messages, grouped in the database in Shanghai time.
    messages_by_month = [0] * 12
    per_month = (
        received_qs.annotate(month=TruncMonth("submitted_at", tzinfo=SHANGHAI))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for month, n in per_month:
        messages_by_month[_month(month) - 1] += n

    first_replies = _first_replies(region, year)
    replied = first_replies.count()
    replied_before = _first_replies(region, year - 1).count()
    reply_rows = list(first_replies.values_list("message_id", "first"))
    replies_by_month = _by_month(first for _, first in reply_rows)
    # The replying unit's region level, and the top regions by replies (by message region).
    start, end = year_range(year)
    reply_units = (
        Reply.objects.filter(
            state=ReplyState.PUBLISHED, published_at__gte=start, published_at__lt=end
        )
        .values_list("message_id", "unit__region__level", "message__region_id", "published_at")
        .order_by("message_id", "published_at")
    )
    replies_by_level: Counter = Counter()
    regions_by_replies: Counter = Counter()
    first_ids = {message_id for message_id, _ in reply_rows}
    seen: set[int] = set()
    for message_id, unit_level, message_region, _published in reply_units.iterator():
        if message_id in seen or message_id not in first_ids:
            continue  # the first published reply of messages first answered this year only
        seen.add(message_id)
        replies_by_level[unit_level] += 1
        regions_by_replies[group(message_region)] += 1

    answered_of_received = (
        received_qs.filter(replies__state=ReplyState.PUBLISHED).values("pk").distinct().count()
    )

    domain_counts = Counter(
        dict(
            received_qs.filter(domain__isnull=False)
            .annotate(top=Coalesce("domain__parent__parent_id", "domain__parent_id", "domain_id"))
            .values_list("top")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    domain_names = dict(Domain.objects.filter(pk__in=domain_counts).values_list("pk", "name"))
    region_ids = set(regions_by_messages) | set(regions_by_replies)
    region_names = dict(Region.objects.filter(pk__in=region_ids).values_list("pk", "name"))

    ratings = Evaluation.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        message__state__in=THROWN_OUT
    )
    if region is not None:
        ratings = ratings.filter(message__region_id__in=region_subtree_ids({region.pk}))
    rated = list(
        ratings.values_list("solved", "attitude", "speed").annotate(n=Count("id")).order_by()
    )
    satisfied = sum(
        n for solved, a, s, n in rated if lifecycle.is_satisfied(solved=solved, attitude=a, speed=s)
    )

    return AnnualFigures(
        year=year,
        region=region,
        received=received,
        received_before=received_before,
        replied=replied,
        replied_before=replied_before,
        answered_of_received=answered_of_received,
        messages_by_level=dict(messages_by_level),
        replies_by_level=dict(replies_by_level),
        messages_by_month=messages_by_month,
        replies_by_month=replies_by_month,
        top_regions_by_messages=_ranked(regions_by_messages, region_names, received),
        top_regions_by_replies=_ranked(regions_by_replies, region_names, replied),
        top_domains=_ranked(domain_counts, domain_names, received),
        ratings=sum(n for *_, n in rated),
        satisfied=satisfied,
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
