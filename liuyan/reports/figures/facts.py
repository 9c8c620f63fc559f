"""A message's facts, read from the board's tables: in batches, so `rebuild` reads a chunk of
messages with a fixed number of queries, and one step reads its own message the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q

from liuyan.board.access import PUBLIC_STATES
from liuyan.board.models import Assignment, Evaluation, FollowUp, Message, Reply, Supervision
from liuyan.core import lifecycle
from liuyan.core.clock import WorkCalendar, local_date
from liuyan.core.lifecycle import AssignmentKind, AssignmentState, ReplyState, State
from liuyan.directory.models import Board, Domain, Membership, Region
from liuyan.directory.selectors import work_calendar

from .measures import Facts

THROWN_OUT = frozenset({State.REJECTED, State.DUPLICATE})
# A lead assignment that still says who handles the message (not handed back or superseded).
HOLDING = (AssignmentState.PENDING, AssignmentState.ACCEPTED, AssignmentState.DONE)
UNIT_ROLES = (Membership.Role.HANDLER, Membership.Role.HEAD)


def _chains(model, ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each id with the ids above it, the top first (regions and domains are 3 deep)."""
    parents: dict[int, int | None] = {}
    frontier = set(ids)
    while frontier:
        rows = dict(model.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parents.update(rows)
        frontier = {p for p in rows.values() if p is not None and p not in parents}
    chains = {}
    for pk in ids:
        chain: list[int] = []
        current: int | None = pk
        while current is not None and current in parents and len(chain) < 5:
            chain.append(current)
            current = parents[current]
        chains[pk] = tuple(reversed(chain))
    return chains


def facts_for(message_ids: Iterable[int], calendar: WorkCalendar | None = None) -> dict[int, Facts]:
    ids = list(message_ids)
    if not ids:
        return {}
    calendar = calendar or work_calendar()
    messages = list(
        Message.objects.filter(pk__in=ids).values(
            "pk",
            "submitted_at",
            "is_public",
            "state",
            "board_id",
            "region_id",
            "domain_id",
            "type",
            "channel",
            "author_id",
            "round",
            "dispatched_at",
        )
    )
    leads: dict[int, int] = {}  # the newest holding lead assignment's unit
    first_accept: dict[int, tuple] = {}
    for row in (
        Assignment.objects.filter(message_id__in=ids, kind=AssignmentKind.LEAD)
        .order_by("id")
        .values("message_id", "unit_id", "state", "created_at", "accept_by", "accepted_at")
    ):
        if row["state"] in HOLDING:
            leads[row["message_id"]] = row["unit_id"]
        if row["accepted_at"] is not None:
            current = first_accept.get(row["message_id"])
            if current is None or row["accepted_at"] < current[2]:
                first_accept[row["message_id"]] = (
                    row["created_at"],
                    row["accept_by"],
                    row["accepted_at"],
                )
    first_reply: dict[int, tuple] = {}
    for message_id, published_at, accepted_at, reply_by, unit_level in (
        Reply.objects.filter(message_id__in=ids, state=ReplyState.PUBLISHED)
        .order_by("-published_at", "-id")
        .values_list(
            "message_id",
            "published_at",
            "assignment__accepted_at",
            "assignment__reply_by",
            "unit__region__level",
        )
    ):  # the earliest wins
        first_reply[message_id] = (published_at, accepted_at, reply_by, unit_level)
    ratings: dict[int, tuple[bool, bool]] = {}
    for message_id, solved, attitude, speed in (
        Evaluation.objects.filter(message_id__in=ids)
        .order_by("round", "id")
        .values_list("message_id", "solved", "attitude", "speed")
    ):  # the latest round's rating is the verdict
        satisfied = lifecycle.is_satisfied(solved=solved, attitude=attitude, speed=speed)
        ratings[message_id] = (solved, satisfied)
    follow_ups = dict(
        FollowUp.objects.filter(message_id__in=ids)
        .values("message_id")
        .annotate(n=Count("pk"))
        .values_list("message_id", "n")
    )
    supervisions = {
        row["message_id"]: (row["n"], row["listed"])
        for row in Supervision.objects.filter(message_id__in=ids)
        .values("message_id")
        .annotate(
            n=Count("pk"), listed=Count("pk", filter=Q(level=lifecycle.SupervisionLevel.LISTED))
        )
    }
    staff_pairs = _staff_pairs(messages, leads)
    return _assemble(
        messages,
        calendar=calendar,
        leads=leads,
        first_accept=first_accept,
        first_reply=first_reply,
        ratings=ratings,
        follow_ups=follow_ups,
        supervisions=supervisions,
        staff_pairs=staff_pairs,
    )


def facts_of_written(
    messages: Sequence[Mapping[str, Any]],
    *,
    leads: dict[int, int],
    first_accept: dict[int, tuple],
    first_reply: dict[int, tuple],
    calendar: WorkCalendar | None = None,
) -> dict[int, Facts]:
    """`facts_for` of messages just written, from the rows in hand instead of read back: an
    import's batch (`board.services.import_history`), whose messages have no ratings,
    follow-ups or supervisions yet. `messages` holds the columns `facts_for` reads (with "pk"),
    `leads`, `first_accept` and `first_reply` what it reads of the assignments and replies."""
    return _assemble(
        messages,
        calendar=calendar or work_calendar(),
        leads=leads,
        first_accept=first_accept,
        first_reply=first_reply,
        ratings={},
        follow_ups={},
        supervisions={},
        staff_pairs=_staff_pairs(messages, leads),
    )


def _staff_pairs(
    messages: Sequence[Mapping[str, Any]], leads: dict[int, int]
) -> set[tuple[int, int]]:
    """(author, unit) of the messages written by a member of their own lead unit."""
    authors = {m["author_id"] for m in messages if m["author_id"]}
    if not authors:
        return set()
    return set(
        Membership.objects.filter(
            role__in=UNIT_ROLES, user_id__in=authors, unit_id__in=set(leads.values())
        ).values_list("user_id", "unit_id")
    )


def _assemble(
    messages: Sequence[Mapping[str, Any]],
    *,
    calendar: WorkCalendar,
    leads: dict[int, int],
    first_accept: dict[int, tuple],
    first_reply: dict[int, tuple],
    ratings: dict[int, tuple[bool, bool]],
    follow_ups: dict[int, int],
    supervisions: dict[int, tuple[int, int]],
    staff_pairs: set[tuple[int, int]],
) -> dict[int, Facts]:
    """The facts of `messages` from what was read of them (see `facts_for`)."""
    boards = dict(
        Board.objects.filter(pk__in={m["board_id"] for m in messages}).values_list(
            "pk", "region__level"
        )
    )
    regions = _chains(Region, {m["region_id"] for m in messages})
    domains = _chains(Domain, {m["domain_id"] for m in messages if m["domain_id"]})
    result = {}
    for m in messages:
        pk = m["pk"]
        unit = leads.get(pk)
        accept = first_accept.get(pk)
        reply = first_reply.get(pk)
        rating = ratings.get(pk)
        count, listed = supervisions.get(pk, (0, 0))
        accept_days = reply_days = None
        reply_day: date | None = None
        reply_level: int | None = None
        replied_on_time = False
        if accept is not None:
            accept_days = calendar.working_days_between(accept[0], accept[2])
        if reply is not None:
            published_at, accepted_at, reply_by, reply_level = reply
            reply_day = local_date(published_at)
            reply_days = calendar.working_days_between(accepted_at or published_at, published_at)
            replied_on_time = reply_by is not None and published_at <= reply_by
        result[pk] = Facts(
            day=local_date(m["submitted_at"]),
            is_public=m["is_public"] and m["state"] in PUBLIC_STATES,
            level=boards.get(m["board_id"]) or 0,
            board=m["board_id"],
            regions=regions.get(m["region_id"], ()),
            unit=unit,
            domains=domains.get(m["domain_id"], ()) if m["domain_id"] else (),
            type=m["type"],
            channel=m["channel"],
            thrown_out=m["state"] in THROWN_OUT,
            own=unit is not None and (m["author_id"], unit) in staff_pairs,
            dispatched=m["dispatched_at"] is not None,
            accepted=accept is not None,
            accepted_on_time=accept is not None and accept[2] <= accept[1],
            accept_days=accept_days,
            replied=reply is not None,
            replied_on_time=replied_on_time,
            reply_days=reply_days,
            reply_day=reply_day,
            reply_level=reply_level,
            rated=rating is not None,
            solved=rating is not None and rating[0],
            satisfied=rating is not None and rating[1],
            follow_ups=follow_ups.get(pk, 0),
            reopened=m["round"] > 1,
            supervisions=count,
            listed=listed,
        )
    return result


# --- the facts row ------------------------------------------------------------------------


def _pad(ids: tuple[int, ...]) -> list[int | None]:
    return [*ids[:3], *([None] * (3 - len(ids[:3])))]


def row_values(facts: Facts) -> dict:
    """The MessageFigures columns of `facts`."""
    r1, r2, r3 = _pad(facts.regions)
    d1, d2, d3 = _pad(facts.domains)
    return {
        "day": facts.day,
        "is_public": facts.is_public,
        "level": facts.level,
        "board_id": facts.board,
        "region1": r1,
        "region2": r2,
        "region3": r3,
        "unit_id": facts.unit,
        "domain1": d1,
        "domain2": d2,
        "domain3": d3,
        "type": facts.type,
        "channel": facts.channel,
        "thrown_out": facts.thrown_out,
        "own": facts.own,
        "dispatched": facts.dispatched,
        "accepted": facts.accepted,
        "accepted_on_time": facts.accepted_on_time,
        "accept_days": facts.accept_days,
        "replied": facts.replied,
        "replied_on_time": facts.replied_on_time,
        "reply_days": facts.reply_days,
        "reply_day": facts.reply_day,
        "reply_level": facts.reply_level,
        "rated": facts.rated,
        "satisfied": facts.satisfied,
        "solved": facts.solved,
        "follow_ups": facts.follow_ups,
        "reopened": facts.reopened,
        "supervisions": facts.supervisions,
        "listed": facts.listed,
    }


def from_row(row) -> Facts:
    """The facts a stored MessageFigures row holds."""
    return Facts(
        day=row.day,
        is_public=row.is_public,
        level=row.level,
        board=row.board_id,
        regions=tuple(r for r in (row.region1, row.region2, row.region3) if r is not None),
        unit=row.unit_id,
        domains=tuple(d for d in (row.domain1, row.domain2, row.domain3) if d is not None),
        type=row.type,
        channel=row.channel,
        thrown_out=row.thrown_out,
        own=row.own,
        dispatched=row.dispatched,
        accepted=row.accepted,
        accepted_on_time=row.accepted_on_time,
        accept_days=row.accept_days,
        replied=row.replied,
        replied_on_time=row.replied_on_time,
        reply_days=row.reply_days,
        reply_day=row.reply_day,
        reply_level=row.reply_level,
        rated=row.rated,
        satisfied=row.satisfied,
        solved=row.solved,
        follow_ups=row.follow_ups,
        reopened=row.reopened,
        supervisions=row.supervisions,
        listed=row.listed,
    )
