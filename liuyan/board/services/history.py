"""Messages that happened elsewhere: an old system's messages and replies, loaded in bulk at
their own times (channel = import).

Each message still walks the lifecycle: every step is asked of `core.lifecycle.transition` with
the role that took it in the old system, deadlines come from the working-day clock of the
board's region and the unit, and every step leaves an Event at the source's own time, so a
message of 2019 counts in 2019. What differs from the one-at-a-time services is only how the
rows reach the database: a batch of messages is written with a few `bulk_create` calls in one
transaction, because a single import of an old system's history has hundreds of thousands of
rows (a service call per step costs some 40 queries per message).

History notifies nobody: `bulk_create` sends no `event_recorded` signal, so no citizen or unit is
told today about a step of 2019.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.clock import Clock, local_date
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, ReplyState, Role
from liuyan.directory.models import Board, Domain, Unit
from liuyan.directory.selectors import clock_for

from .. import access, search, serials
from ..models import Assignment, Event, Message, Reply
from ..textrules import mask_personal_data
from ._steps import _acting_role, _require, _state_after

# Who took each step in the old system: the message was entered for its author (as an operator
# enters a caller's), moderators screened and dispatched it, the unit answered, and the rating
# window closed it when nobody rated.
ENTERED = frozenset({Role.OPERATOR})
MODERATED = frozenset({Role.ADMIN})
HANDLED = frozenset({Role.HANDLER})
SYSTEM = frozenset({Role.SYSTEM})


@dataclass
class HistoricalMessage:
    """One message of the old system, already validated (see `channels.importer`)."""

    title: str
    body: str
    submitted_at: datetime
    domain: Domain | None = None
    likes: int = 0
    reply_body: str = ""
    replied_at: datetime | None = None
    message: Message | None = field(default=None, repr=False)  # set by import_history


class _Timeline:
    """The events of one message, numbered as `_steps._record` numbers them. They are kept as
    plain rows (the message and assignment objects get their ids later), because building an
    Event instance per step costs more than the rest of the row's work."""

    def __init__(self, message: Message, actor) -> None:
        self.message, self.actor = message, actor
        self.steps: list[tuple] = []
        self.state: lifecycle.State | None = None

    def step(
        self,
        action: Action,
        roles: frozenset[Role],
        at: datetime,
        *,
        assignment: Assignment | None = None,
        is_public: bool = True,
        actor=...,
    ) -> None:
        transition = lifecycle.transition(self.state, action, roles)
        self.state = _state_after(transition) if transition.to_state else self.state
        actor = self.actor if actor is ... else actor
        self.steps.append(
            (
                len(self.steps) + 1,
                at,
                actor.pk if actor is not None else None,
                _acting_role(action, roles),
                action.value,
                transition.from_state.value if transition.from_state else "",
                transition.to_state.value if transition.to_state else "",
                assignment,
                is_public,
            )
        )

    def rows(self) -> list[tuple]:
        """The steps in the column order of `_EVENT_COLUMNS`, now that the ids are known."""
        adapt = connection.ops.adapt_datetimefield_value
        return [
            (
                self.message.pk,
                seq,
                adapt(at),
                actor_id,
                role,
                action,
                from_state,
                to_state,
                assignment.pk if assignment is not None else None,
                assignment.unit_id if assignment is not None else None,
                "",
                is_public,
            )
            for seq, at, actor_id, role, action, from_state, to_state, assignment, is_public in (
                self.steps
            )
        ]


_EVENT_COLUMNS = (
    "message_id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "from_state",
    "to_state",
    "assignment_id",
    "unit_id",
    "note",
    "is_public",
)


def _insert_events(rows: list[tuple]) -> None:
    """Append the timeline rows with one executemany per 2,000 (Event is append-only; nothing
    here updates or deletes)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _EVENT_COLUMNS)  # attnames are the columns
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    sql = f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def import_history(
    *,
    board: Board,
    unit: Unit,
    actor,
    items: Sequence[HistoricalMessage],
    now: datetime | None = None,
    remember: Callable[[list[Message]], object] | None = None,
) -> list[Message]:
    """Create `items` with their replies and timelines, in one transaction. The caller has
    validated the text; this checks the rules of the steps. `remember` is called with the new
    messages inside that transaction (the importer records the source ids there, so that rows
    and their records commit together). Returns the messages in order."""
    now = now or timezone.now()
    _require(
        Role.ADMIN in access.roles_for(actor, None),
        _("Only administrators may import messages."),
    )
    _require(board.is_active, _("This board does not take messages now."), "board")
    _require(unit.is_active, _("The unit %(unit)s is not active.") % {"unit": unit}, "unit")
    message_clock = clock_for(region=board.region)
    unit_clock = clock_for(unit=unit, region=board.region)
    with transaction.atomic():
        messages = _import(board, unit, actor, items, now, message_clock, unit_clock)
        if remember is not None:
            remember(messages)
    return messages


def _import(
    board: Board,
    unit: Unit,
    actor,
    items: Sequence[HistoricalMessage],
    now: datetime,
    message_clock: Clock,
    unit_clock: Clock,
) -> list[Message]:
    numbers = _serials_for(items)
    messages: list[Message] = []
    assignments: list[Assignment] = []
    replies: list[Reply] = []
    timelines: list[_Timeline] = []
    for item, serial in zip(items, numbers, strict=True):
        at = item.submitted_at
        message = Message(
            serial=serial,
            board=board,
            region=board.region,
            domain=item.domain,
            type=Message.Type.CONSULTATION if item.title.endswith(("?", "？")) else "complaint",
            channel=Message.Channel.IMPORT,
            title=item.title,
            body=item.body,
            public_title=mask_personal_data(item.title),
            public_body=mask_personal_data(item.body),
            likes=item.likes,
            submitted_at=at,
            screen_by=message_clock.screen_by(at),
            screened_at=at,
            dispatched_at=at,
        )
        message.search_text = search.search_text_for(message, item.reply_body)
        assignment = Assignment(
            message=message,
            unit=unit,
            kind=AssignmentKind.LEAD,
            round=1,
            state=AssignmentState.PENDING,
            created_at=at,
            accept_by=unit_clock.accept_by(at, urgent=False),
        )
        timeline = _Timeline(message, actor)
        timeline.step(Action.SUBMIT, ENTERED, at)
        timeline.step(Action.SCREEN, MODERATED, at, is_public=False)
        timeline.step(Action.DISPATCH, MODERATED, at, assignment=assignment)
        if item.reply_body and item.replied_at is not None:
            replies.append(_answer(message, assignment, timeline, item, unit, unit_clock, now))
        assert timeline.state is not None
        message.state = timeline.state.value
        item.message = message
        messages.append(message)
        assignments.append(assignment)
        timelines.append(timeline)
    # Parents first: each bulk_create gives its rows their ids, which the next rows point at.
    Message.objects.bulk_create(messages, batch_size=500)
    Assignment.objects.bulk_create(assignments, batch_size=500)
    Reply.objects.bulk_create(replies, batch_size=500)
    _insert_events([row for timeline in timelines for row in timeline.rows()])
    return messages


def _answer(
    message: Message,
    assignment: Assignment,
    timeline: _Timeline,
    item: HistoricalMessage,
    unit: Unit,
    unit_clock: Clock,
    now: datetime,
) -> Reply:
    """The unit accepted and answered at the reply's time; moderators published it then."""
    assert item.replied_at is not None
    answered = max(item.replied_at, item.submitted_at)
    assignment.state = AssignmentState.DONE
    assignment.accepted_at = answered
    assignment.reply_by = unit_clock.reply_by(answered, urgent=False)
    assignment.finished_at = answered
    timeline.step(Action.ACCEPT, HANDLED, answered, assignment=assignment)
    timeline.step(Action.DRAFT_REPLY, HANDLED, answered, assignment=assignment, is_public=False)
    timeline.step(Action.SUBMIT_REPLY, HANDLED, answered, assignment=assignment)
    timeline.step(Action.APPROVE_REPLY, MODERATED, answered, assignment=assignment)
    message.replied_at = answered
    message.rate_by = unit_clock.rules.rating_deadline(answered)
    if message.rate_by < now:  # what `liuyan tick` would have done when the window ended
        timeline.step(Action.AUTO_CLOSE, SYSTEM, message.rate_by, actor=None)
        message.closed_at = message.rate_by
    return Reply(
        message=message,
        assignment=assignment,
        unit=unit,
        author=timeline.actor,
        round=1,
        body=item.reply_body,
        state=ReplyState.PUBLISHED,
        created_at=answered,
        submitted_at=answered,
        reviewed_by=timeline.actor,
        published_at=answered,
    )


def _serials_for(items: Sequence[HistoricalMessage]) -> list[str]:
    """Serials on each message's own day, from the day counters in a few queries a batch."""
    by_day: dict = defaultdict(list)
    for index, item in enumerate(items):
        by_day[local_date(item.submitted_at)].append(index)
    reserved = serials.reserve_serials({day: len(indexes) for day, indexes in by_day.items()})
    numbers = [""] * len(items)
    for day, indexes in by_day.items():
        for index, serial in zip(indexes, reserved[day], strict=True):
            numbers[index] = serial
    return numbers
