"""Messages that happened elsewhere: an old system's messages and replies, loaded in bulk at
their own times (channel = import).

Each message still walks the lifecycle: every step is asked of `core.lifecycle.transition` with
the role that took it in the old system, deadlines come from the working-day clock of the
board's region and the unit, and every step leaves an Event at the source's own time, so a
message of 2019 counts in 2019. What differs from the one-at-a-time services is only how the
rows reach the database: a batch of messages is written with a few `bulk_create` calls in one
transaction, because a single import of an old system's history has hundreds of thousands of
rows (a service call per step costs some 40 queries per message). The rows are plain dicts
written with multi-row INSERTs (`board.bulk.insert_rows`), not model instances through
`bulk_create`: Django's per-field preparation of 30 columns was most of the import's time.

History notifies nobody: no `event_recorded` signal is sent for a step of 2019, so no citizen or
unit is told today about it. What listens for the figures gets `history_imported` once per batch
with the new messages' ids, inside the batch's transaction (reports counts them in bulk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.clock import Clock, local_date
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, ReplyState, Role
from liuyan.directory.models import Board, Domain, Unit
from liuyan.directory.selectors import clock_for

from .. import access, search, serials, signals
from ..bulk import insert_rows
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
    # (public title, public body, search text): `public_texts`, which import_history
    # calls when the caller has not (the importer computes them in worker processes).
    texts: tuple[str, str, str] | None = field(default=None, repr=False)


def public_texts(title: str, body: str, reply_body: str) -> tuple[str, str, str]:
    """The masked title and body and the search index's text of one message, each text masked
    and segmented once (the reply is masked as staff text inside `search_text_for`). Pure text
    work, no database: the importer runs it in worker processes."""
    public_title = mask_personal_data(title)
    public_body = mask_personal_data(body)
    return public_title, public_body, search.search_text_of(public_title, public_body, reply_body)


def prepare_public_texts() -> None:
    """Load what `public_texts` loads on first use (the segmenter's dictionary, the
    traditional-to-simplified tables), so that worker processes forked after this share them
    instead of each loading its own. Empty texts load nothing: they return before segmenting."""
    public_texts("路灯不亮", "請聯繫13800000000，長沙市岳麓區1棟2單元301室", "已修复")


@lru_cache(maxsize=256)
def _checked_step(
    state: lifecycle.State | None, action: Action, roles: frozenset[Role]
) -> tuple[lifecycle.State | None, str, str, str]:
    """The lifecycle's verdict on a step (it raises when the step is not allowed): the state
    after it, the acting role, and the from and to states as stored. Remembered: an import
    takes the same few steps from the same states tens of thousands of times."""
    transition = lifecycle.transition(state, action, roles)
    after = _state_after(transition) if transition.to_state else state
    return (
        after,
        _acting_role(action, roles),
        transition.from_state.value if transition.from_state else "",
        transition.to_state.value if transition.to_state else "",
    )


@dataclass
class WrittenHistory:
    """What `import_history` wrote of a batch, in the shapes the figures read back
    (`reports.figures.facts.facts_for`): each message's columns, its lead unit, its acceptance
    and first published reply. Sent with `signals.history_imported`."""

    messages: list[dict] = field(default_factory=list)
    leads: dict[int, int] = field(default_factory=dict)
    first_accept: dict[int, tuple] = field(default_factory=dict)  # created, accept by, accepted
    first_reply: dict[int, tuple] = field(default_factory=dict)  # published, accepted, by, level

    def record(
        self,
        messages: list[dict],
        message_ids: list[int],
        assignments: list[dict],
        replies: list[tuple[int, dict]],
        *,
        unit_level: int,
    ) -> None:
        for message, pk, assignment in zip(messages, message_ids, assignments, strict=True):
            # The row as written, with what the import leaves to the columns' defaults.
            self.messages.append({**message, "pk": pk, "author_id": None, "round": 1})
            self.leads[pk] = assignment["unit_id"]  # pending or done: it holds the message
            if assignment.get("accepted_at") is not None:
                self.first_accept[pk] = (
                    assignment["created_at"],
                    assignment["accept_by"],
                    assignment["accepted_at"],
                )
        for index, reply in replies:
            assignment = assignments[index]
            self.first_reply[message_ids[index]] = (
                reply["published_at"],
                assignment["accepted_at"],
                assignment["reply_by"],
                unit_level,
            )


class _Timeline:
    """The events of one message, numbered as `_steps._record` numbers them. They are kept as
    plain rows (the message and assignment get their ids when written), because building an
    Event instance per step costs more than the rest of the row's work."""

    def __init__(self, actor_id: int | None) -> None:
        self.actor_id = actor_id
        self.steps: list[tuple] = []
        self.state: lifecycle.State | None = None

    def step(
        self,
        action: Action,
        roles: frozenset[Role],
        at: datetime,
        *,
        assigned: bool = False,
        is_public: bool = True,
        system: bool = False,
    ) -> None:
        state, role, from_state, to_state = _checked_step(self.state, action, roles)
        self.state = state
        self.steps.append(
            (
                len(self.steps) + 1,
                at,
                None if system else self.actor_id,
                role,
                action.value,
                from_state,
                to_state,
                assigned,
                is_public,
            )
        )

    def rows(
        self, message_id: int, assignment_id: int, unit_id: int, adapted: dict[datetime, str | None]
    ) -> list[tuple]:
        """The steps in the column order of `_EVENT_COLUMNS`, now that the ids are known.
        `adapted`: times already in the database's form (a message's steps share a few times,
        a batch's messages many), filled in here."""
        adapt = connection.ops.adapt_datetimefield_value
        return [
            (
                message_id,
                seq,
                adapted.get(at) or adapted.setdefault(at, adapt(at)),
                actor_id,
                role,
                action,
                from_state,
                to_state,
                assignment_id if assigned else None,
                unit_id if assigned else None,
                "",
                is_public,
            )
            for seq, at, actor_id, role, action, from_state, to_state, assigned, is_public in (
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
    with connection.cursor() as wrapper:
        # The database's own cursor: Django's debug wrapper would log every batch (DEBUG on).
        cursor = wrapper.cursor
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def import_history(
    *,
    board: Board,
    unit: Unit,
    actor,
    items: Sequence[HistoricalMessage],
    now: datetime | None = None,
    remember: Callable[[list[int]], object] | None = None,
) -> list[int]:
    """Create `items` with their replies and timelines, in one transaction. The caller has
    validated the text; this checks the rules of the steps. `remember` is called with the new
    messages' ids inside that transaction (the importer records the source ids there, so that
    rows and their records commit together). Returns the messages' ids in order."""
    now = now or timezone.now()
    _require(
        Role.ADMIN in access.roles_for(actor, None),
        _("Only administrators may import messages."),
    )
    _require(board.is_active, _("This board does not take messages now."), "board")
    _require(unit.is_active, _("The unit %(unit)s is not active.") % {"unit": unit}, "unit")
    # A batch's thousand messages fall on a few hundred days: each deadline worked out once.
    message_clock = clock_for(region=board.region, remember=True)
    unit_clock = clock_for(unit=unit, region=board.region, remember=True)
    written = WrittenHistory()
    with transaction.atomic():
        ids = _import(board, unit, actor, items, now, message_clock, unit_clock, written)
        # The figures of the new messages, in this transaction (reports listens).
        signals.history_imported.send(sender=Message, message_ids=ids, written=written)
        if remember is not None:
            remember(ids)
    return ids


def _import(
    board: Board,
    unit: Unit,
    actor,
    items: Sequence[HistoricalMessage],
    now: datetime,
    message_clock: Clock,
    unit_clock: Clock,
    written: WrittenHistory,
) -> list[int]:
    numbers = _serials_for(items)
    messages: list[dict] = []
    assignments: list[dict] = []
    replies: list[tuple[int, dict]] = []  # (index of the message, reply row)
    timelines: list[_Timeline] = []
    actor_id = actor.pk if actor is not None else None
    for index, (item, serial) in enumerate(zip(items, numbers, strict=True)):
        at = item.submitted_at
        public_title, public_body, search_text = item.texts or public_texts(
            item.title, item.body, item.reply_body
        )
        message = {
            "serial": serial,
            "board_id": board.pk,
            "region_id": board.region_id,
            "domain_id": item.domain.pk if item.domain is not None else None,
            "type": (
                Message.Type.CONSULTATION.value
                if item.title.endswith(("?", "？"))
                else Message.Type.COMPLAINT.value
            ),
            "channel": Message.Channel.IMPORT.value,
            "title": item.title,
            "body": item.body,
            "public_title": public_title,
            "public_body": public_body,
            "search_text": search_text,
            "is_public": True,
            "likes": item.likes,
            "submitted_at": at,
            "screen_by": message_clock.screen_by(at),
            "screened_at": at,
            "dispatched_at": at,
        }
        assignment = {
            "unit_id": unit.pk,
            "board_id": board.pk,
            "kind": AssignmentKind.LEAD.value,
            "round": 1,
            "state": AssignmentState.PENDING.value,
            "created_at": at,
            "accept_by": unit_clock.accept_by(at, urgent=False),
        }
        timeline = _Timeline(actor_id)
        timeline.step(Action.SUBMIT, ENTERED, at)
        timeline.step(Action.SCREEN, MODERATED, at, is_public=False)
        timeline.step(Action.DISPATCH, MODERATED, at, assigned=True)
        if item.reply_body and item.replied_at is not None:
            reply = _answer(message, assignment, timeline, item, unit, unit_clock, now)
            replies.append((index, reply))
        assert timeline.state is not None
        message["state"] = timeline.state.value
        messages.append(message)
        assignments.append(assignment)
        timelines.append(timeline)
    # Parents first: each insert gives its rows their ids, which the next rows point at.
    message_ids = insert_rows(Message, messages, now)
    for assignment, message_id in zip(assignments, message_ids, strict=True):
        assignment["message_id"] = message_id
    assignment_ids = insert_rows(Assignment, assignments, now)
    for index, reply in replies:
        reply["message_id"], reply["assignment_id"] = message_ids[index], assignment_ids[index]
    insert_rows(Reply, [reply for _index, reply in replies], now)
    written.record(messages, message_ids, assignments, replies, unit_level=unit.region.level)
    adapted: dict[datetime, str | None] = {}
    _insert_events(
        [
            row
            for timeline, message_id, assignment_id in zip(
                timelines, message_ids, assignment_ids, strict=True
            )
            for row in timeline.rows(message_id, assignment_id, unit.pk, adapted)
        ]
    )
    return message_ids


def _answer(
    message: dict,
    assignment: dict,
    timeline: _Timeline,
    item: HistoricalMessage,
    unit: Unit,
    unit_clock: Clock,
    now: datetime,
) -> dict:
    """The unit accepted and answered at the reply's time; moderators published it then."""
    assert item.replied_at is not None
    answered = max(item.replied_at, item.submitted_at)
    assignment["state"] = AssignmentState.DONE.value
    assignment["accepted_at"] = answered
    assignment["reply_by"] = unit_clock.reply_by(answered, urgent=False)
    assignment["finished_at"] = answered
    timeline.step(Action.ACCEPT, HANDLED, answered, assigned=True)
    timeline.step(Action.DRAFT_REPLY, HANDLED, answered, assigned=True, is_public=False)
    timeline.step(Action.SUBMIT_REPLY, HANDLED, answered, assigned=True)
    timeline.step(Action.APPROVE_REPLY, MODERATED, answered, assigned=True)
    message["replied_at"] = answered
    rate_by = unit_clock.rules.rating_deadline(answered)
    message["rate_by"] = rate_by
    if rate_by < now:  # what `liuyan tick` would have done when the window ended
        timeline.step(Action.AUTO_CLOSE, SYSTEM, rate_by, system=True)
        message["closed_at"] = rate_by
    return {
        "unit_id": unit.pk,
        "author_id": timeline.actor_id,
        "round": 1,
        "body": item.reply_body,
        "state": ReplyState.PUBLISHED.value,
        "created_at": answered,
        "submitted_at": answered,
        "reviewed_by_id": timeline.actor_id,
        "published_at": answered,
    }


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
