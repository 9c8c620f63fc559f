"""Reads for the API: every list starts from `board.access` (what the caller may see), so a
private or unscreened message never reaches an answer it should not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liuyan.board.access import (
    StaffScope,
    is_publicly_visible,
    moderated_messages,
    unit_assignments,
    visible_messages,
)
from liuyan.board.models import Assignment, Evaluation, Event, Message, Reply
from liuyan.board.selectors import public_messages, timeline
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import HANDLING_STATES, ReplyState, State
from liuyan.directory.models import Board, Domain, Region, Unit

ANSWERED_STATES = frozenset({State.REPLIED, State.REVIEW, State.CLOSED})
STATUS_GROUPS = {"handling": HANDLING_STATES, "answered": ANSWERED_STATES}
FIGURES_SECONDS = 300  # headline figures may lag by five minutes, as on the portal


def region_subtree_q(region: Region, field: str = "region") -> Q:
    """`field` is the region or one below it (regions are at most three levels deep)."""
    q = Q(**{f"{field}": region})
    path = field
    for _ in range(3):
        path += "__parent"
        q |= Q(**{path: region})
    return q


def domain_ids(domain: Domain) -> list[int]:
    ids, frontier = [domain.pk], [domain.pk]
    while frontier:
        frontier = list(Domain.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def messages_for(
    user,
    *,
    board: Board | None = None,
    region: Region | None = None,
    domain: Domain | None = None,
    type: str = "",
    status: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Message]:
    """Messages `user` may see (the public ones for an anonymous caller or an application key),
    filtered."""
    if user is None or not user.is_authenticated:
        rows = public_messages()
    else:
        rows = visible_messages(user, Message.objects.all())
    if board is not None:
        rows = rows.filter(board=board)
    if region is not None:
        rows = rows.filter(region_subtree_q(region))
    if domain is not None:
        rows = rows.filter(domain_id__in=domain_ids(domain))
    if type:
        rows = rows.filter(type=type)
    if status in STATUS_GROUPS:
        rows = rows.filter(state__in=STATUS_GROUPS[status])
    elif status:
        rows = rows.filter(state=status)
    if since is not None:
        rows = rows.filter(submitted_at__gte=since)
    if until is not None:
        rows = rows.filter(submitted_at__lt=until)
    return rows.select_related("board", "region", "domain")


def message_for(user, serial: str) -> Message | None:
    """The message if `user` may see it; None otherwise (404, so existence does not leak)."""
    rows = messages_for(user).filter(serial=serial)
    return rows.first()


def published_replies(message: Message) -> QuerySet[Reply]:
    return (
        message.replies.filter(state=ReplyState.PUBLISHED)
        .select_related("unit")
        .order_by("published_at", "id")
    )


def public_timeline(message: Message) -> QuerySet[Event]:
    return timeline(message, staff=False)


def boards(*, region: Region | None = None) -> QuerySet[Board]:
    rows = Board.objects.filter(is_active=True).select_related("region")
    if region is not None:
        rows = rows.filter(region_subtree_q(region))
    return rows.order_by("region__code", "position", "id")


def units(*, region: Region | None = None) -> QuerySet[Unit]:
    rows = Unit.objects.filter(is_active=True).select_related("region", "parent")
    if region is not None:
        rows = rows.filter(region_subtree_q(region))
    return rows.order_by("id")


def regions(*, parent: Region | None = None, level: int | None = None) -> QuerySet[Region]:
    rows = Region.objects.select_related("parent")
    if parent is not None:
        rows = rows.filter(parent=parent)
    if level is not None:
        rows = rows.filter(level=level)
    return rows.order_by("code")


def domains() -> QuerySet[Domain]:
    return Domain.objects.select_related("parent").order_by("level", "position", "id")


# --- figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The headline figures the portal shows: public messages since a day, how many are
    answered, how many ratings and how many of them satisfied. When the reports app keeps
    roll-up tables, this selector reads them instead; the endpoint stays."""

    since: datetime
    messages: int
    replied: int
    rated: int
    satisfied: int

    @property
    def reply_rate(self) -> float | None:
        return round(100 * self.replied / self.messages, 1) if self.messages else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def year_start(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def figures(*, board: Board | None = None, now: datetime | None = None) -> Figures:
    """This year's (Shanghai calendar) public figures, overall or for one board; counted over an
    indexed range and cached for a few minutes, never over the whole table per request."""
    since = year_start(now or timezone.now())
    cache_key = f"api:figures:{since:%Y}:{board.pk if board else 'all'}"
    found = cache.get(cache_key)
    if found is not None:
        return found
    rows = public_messages().filter(submitted_at__gte=since)
    if board is not None:
        rows = rows.filter(board=board)
    counts = rows.aggregate(
        messages=Count("pk"), replied=Count("pk", filter=Q(state__in=ANSWERED_STATES))
    )
    ratings = Evaluation.objects.filter(message__in=rows.values("pk")).aggregate(
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(solved=True, attitude__gte=3, speed__gte=3)),
    )
    result = Figures(since=since, **counts, **ratings)
    cache.set(cache_key, result, FIGURES_SECONDS)
    return result


# --- staff -----------------------------------------------------------------------------


def assignments_for(scope: StaffScope, *, state: str = "") -> QuerySet[Assignment]:
    rows = unit_assignments(scope).select_related("message", "unit")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def moderation_queue(scope: StaffScope) -> QuerySet[Message]:
    return (
        moderated_messages(scope)
        .filter(state=State.SUBMITTED)
        .select_related("board", "region", "domain")
        .order_by("-submitted_at", "-id")
    )


def recent_cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=days)


__all__ = ["is_publicly_visible"]
