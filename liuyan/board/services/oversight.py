"""Looking back and above: reopen for a second round, close (by hand or when the rating window
ends), supervision and leaders' instructions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, State
from liuyan.directory.models import Unit

from .. import selectors
from ..models import Assignment, Instruction, Message, Supervision
from ..textrules import validate_body
from . import _steps
from ._steps import (
    SYSTEM_ROLES,
    _clock,
    _create_assignment,
    _finish_step,
    _found,
    _locked_message,
    _message_step,
    _now,
    _record,
    _require,
)


@transaction.atomic
def reopen_message(
    *,
    message_id: int,
    actor,
    unit: Unit | None = None,
    note: str = "",
    seen: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """A second round (二次办理) with fresh deadlines, by default with the last lead unit."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.REOPEN, seen=seen)
    if unit is None:
        last_lead = _found(
            message.assignments.filter(kind=AssignmentKind.LEAD, state=AssignmentState.DONE)
            .select_related("unit")
            .order_by("-id")
            .first(),
            _("Choose the unit for the second round."),
            "unit",
        )
        unit = last_lead.unit
    message.round += 1
    lead = _create_assignment(message, unit, kind=AssignmentKind.LEAD, at=at)
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=note,
        assignment=lead,
        dispatched_at=at,
        rate_by=None,
        replied_at=None,
    )
    return lead


@transaction.atomic
def close_message(
    *,
    message_id: int,
    actor,
    note: str = "",
    seen: int | None = None,
    now: datetime | None = None,
) -> Message:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.CLOSE, seen=seen)
    _finish_step(
        message, transition, actor=actor, roles=roles, at=at, note=note.strip(), closed_at=at
    )
    return message


def auto_close_unrated(*, now: datetime | None = None) -> int:
    """Close replied messages whose rating window is over. Safe to run again: returns 0."""
    at = _now(now)
    due = selectors.unrated_past_window(now=at).values_list("pk", flat=True)
    closed = 0
    for message_id in list(due.iterator()):
        closed += _auto_close_one(message_id, at)
    return closed


@transaction.atomic
def _auto_close_one(message_id: int, at: datetime) -> int:
    message = _locked_message(message_id)
    if message.state != State.REPLIED or message.rate_by is None or message.rate_by >= at:
        return 0  # somebody rated it, or it was reopened, since we listed it
    transition = _steps._check(message, Action.AUTO_CLOSE, SYSTEM_ROLES)
    _finish_step(message, transition, actor=None, roles=SYSTEM_ROLES, at=at, closed_at=at)
    return 1


# --- supervision and instructions ---------------------------------------------------------


@transaction.atomic
def supervise(
    *,
    message_id: int,
    actor,
    level: str,
    due_at: datetime | None = None,
    note: str = "",
    seen: int | None = None,
    now: datetime | None = None,
) -> Supervision:
    """Escalate a message: 催办, 督办 or 挂牌督办, due by a working day."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.SUPERVISE, seen=seen)
    _require(
        level in lifecycle.SupervisionLevel.__members__.values(),
        _("Choose a supervision level."),
        "level",
    )
    clock = _clock(message)
    if due_at is None:
        due_at = clock.calendar.add_working_days(at, 5)
    _require(due_at > at, _("The due date must be in the future."), "due_at")
    due_at = clock.calendar.add_working_days(due_at, 0)  # the end of a working day
    supervision = Supervision.objects.create(
        message=message,
        level=level,
        ordered_by=actor,
        note=note.strip(),
        due_at=due_at,
        created_at=at,
    )
    _record(
        message, transition, actor=actor, roles=roles, at=at, note=note.strip(), is_public=False
    )
    return supervision


@transaction.atomic
def instruct(
    *,
    message_id: int,
    actor,
    body: str,
    is_public: bool = False,
    seen: int | None = None,
    now: datetime | None = None,
) -> Instruction:
    """A leader's written instruction (批示); the leader chooses whether the public sees it."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.INSTRUCT, seen=seen)
    body = validate_body(body, minimum=2)
    instruction = Instruction.objects.create(
        message=message, author=actor, body=body, is_public=is_public, created_at=at
    )
    _record(message, transition, actor=actor, roles=roles, at=at, note=body, is_public=is_public)
    return instruction
