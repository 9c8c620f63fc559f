"""The machinery shared by every step of a message's life.

Each service runs in one transaction, locks the message row first (so two people acting at once
queue up instead of corrupting it), asks `core.lifecycle.transition` whether the actor may take
the step, applies it, moves deadlines with the working-day clock, and appends an Event
(`_finish_step` ends every step that moves the message or ends an assignment).

The services call `_steps._check` through this module rather than importing the name, so one
replacement here reaches every step (tests/board/test_concurrency.py slows it to force races).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, NoReturn, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.clock import Clock
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, Role, Transition
from liuyan.directory.models import Unit
from liuyan.directory.selectors import clock_for

from .. import access, search, selectors, signals
from ..models import Assignment, Event, Message, Reply

SYSTEM_ROLES = frozenset({Role.SYSTEM})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _locked_message(message_id: int) -> Message:
    return Message.objects.select_for_update().select_related("region", "board").get(pk=message_id)


def _locked_assignment(assignment_id: int) -> tuple[Message, Assignment]:
    message_id = Assignment.objects.values_list("message_id", flat=True).get(pk=assignment_id)
    message = _locked_message(message_id)
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment_id)
    return message, assignment


def _locked_reply(reply_id: int) -> tuple[Message, Reply]:
    message_id = Reply.objects.values_list("message_id", flat=True).get(pk=reply_id)
    message = _locked_message(message_id)
    reply = Reply.objects.select_for_update().select_related("assignment", "unit").get(pk=reply_id)
    return message, reply


def _roles(actor, message: Message, unit: Unit | None = None) -> frozenset[Role]:
    if actor is None:
        return SYSTEM_ROLES
    return frozenset(access.roles_for(actor, message, unit=unit))


def _check(message: Message | None, action: Action, roles: frozenset[Role]) -> Transition:
    state = message.lifecycle_state if message is not None else None
    return lifecycle.transition(state, action, roles)


def _acting_role(action: Action, roles: frozenset[Role]) -> str:
    """The role under which the actor took the step, for the timeline."""
    allowed = lifecycle.RULES[action].roles & roles
    for role in (Role.HEAD, Role.HANDLER, Role.MODERATOR, Role.LEADER, Role.AUTHOR):
        if role in allowed:
            return role.value
    return sorted(allowed)[0].value if allowed else ""


def _record(
    message: Message,
    transition: Transition,
    *,
    actor,
    roles: frozenset[Role],
    at: datetime,
    note: str = "",
    assignment: Assignment | None = None,
    unit: Unit | None = None,
    is_public: bool = True,
) -> Event:
    last = message.events.aggregate(last=Max("seq"))["last"] or 0
    event = Event.objects.create(
        message=message,
        seq=last + 1,
        at=at,
        actor=actor,
        actor_role=_acting_role(transition.action, roles),
        action=transition.action.value,
        from_state=transition.from_state.value if transition.from_state else "",
        to_state=transition.to_state.value if transition.to_state else "",
        assignment=assignment,
        unit=unit or (assignment.unit if assignment is not None else None),
        note=note,
        is_public=is_public,
    )
    # Sent in the step's transaction: `notifications` queues its work as part of the step, so the
    # step and its notifications commit together or not at all (see notifications.dispatch).
    signals.event_recorded.send(sender=Event, event=event)
    return event


def _state_after(transition: Transition) -> lifecycle.State:
    """The state the step leaves the message in. Transition.to_state is None only for a SUBMIT
    from no state whose rule names no state, and SUBMIT's rule names SUBMITTED."""
    assert transition.to_state is not None, "every step's transition ends in a state"
    return transition.to_state


def _apply(message: Message, transition: Transition, **fields) -> None:
    message.state = _state_after(transition).value
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()


def _clock(message: Message, unit: Unit | None = None) -> Clock:
    return clock_for(unit=unit, region=message.region)


def _refuse(message: str, field: str | None = None) -> NoReturn:
    raise ValidationError({field: message} if field else message)


def _require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        _refuse(message, field)


_T = TypeVar("_T")


def _found(value: _T | None, message: str, field: str | None = None) -> _T:
    """`value`, which a query may not have found: None is refused like a failed `_require`."""
    if value is None:
        _refuse(message, field)
    return value


def _active_assignments(message: Message):
    return message.assignments.select_for_update().filter(
        state__in=lifecycle.ACTIVE_ASSIGNMENT_STATES
    )


def _active_lead(message: Message) -> Assignment | None:
    return (
        _active_assignments(message)
        .filter(kind=AssignmentKind.LEAD)
        .select_related("unit")
        .order_by("-id")
        .first()
    )


def _cancel_active_assignments(message: Message, at: datetime) -> None:
    _active_assignments(message).update(state=AssignmentState.CANCELLED, finished_at=at)


def _create_assignment(
    message: Message,
    unit: Unit,
    *,
    kind: AssignmentKind,
    at: datetime,
    parent: Assignment | None = None,
) -> Assignment:
    _require(unit.is_active, _("The unit %(unit)s is not active.") % {"unit": unit}, "unit")
    clock = _clock(message, unit)
    return Assignment.objects.create(
        message=message,
        board_id=message.board_id,
        unit=unit,
        kind=kind,
        parent=parent,
        round=message.round,
        state=AssignmentState.PENDING,
        created_at=at,
        accept_by=clock.accept_by(at, urgent=message.is_urgent),
    )


def _require_lead(assignment: Assignment) -> None:
    _require(
        assignment.kind == AssignmentKind.LEAD,
        _("Only the lead unit may do this; co-handling units give their part."),
    )


def _require_state(assignment: Assignment, *states: AssignmentState) -> None:
    if assignment.state not in states:
        raise lifecycle.TransitionRefused(
            _("This assignment is %(state)s.") % {"state": assignment.get_state_display()}
        )


class _MessageStep(NamedTuple):
    message: Message
    roles: frozenset[Role]
    transition: Transition


def _require_fresh(message: Message, seen: int | None) -> None:
    """Refuse a step asked for on an older view of the message (`seen`, the version the page
    showed): a second submit of the same form, or a page left open while someone acted.
    Callers that pass no version (the API, commands, tests) are not checked."""
    if seen is not None and seen != selectors.message_version(message):
        raise lifecycle.StaleStep("The message changed since the page was shown.")


def _message_step(
    message_id: int, actor, action: Action, *, seen: int | None = None
) -> _MessageStep:
    """The start of every step taken on the message itself: lock it, check that it is still
    as the actor saw it (`seen`), then that the actor may take `action` in its state."""
    message = _locked_message(message_id)
    _require_fresh(message, seen)
    roles = _roles(actor, message)
    return _MessageStep(message, roles, _check(message, action, roles))


class _UnitStep(NamedTuple):
    message: Message
    assignment: Assignment
    roles: frozenset[Role]
    transition: Transition


def _unit_step(
    assignment_id: int,
    actor,
    action: Action,
    *states: AssignmentState,
    kind: AssignmentKind = AssignmentKind.LEAD,
) -> _UnitStep:
    """The start of every step a unit takes on its assignment: lock the message and the
    assignment, check the assignment's kind and state, and that the actor may take `action`."""
    message, assignment = _locked_assignment(assignment_id)
    if kind is AssignmentKind.LEAD:
        _require_lead(assignment)
    else:
        _require(assignment.kind == AssignmentKind.CO, _("Only co-handling units give a part."))
    _require_state(assignment, *states)
    roles = _roles(actor, message, assignment.unit)
    return _UnitStep(message, assignment, roles, _check(message, action, roles))


def _refresh_search_text(message: Message, reply_body: str = "") -> None:
    """What search indexes: the public text and the latest published reply (one rule, kept in
    `board.search`, shared with `liuyan rebuild-search-index`)."""
    if not reply_body and message.pk is not None:
        reply_body = search.published_reply_body(message)
    message.search_text = search.search_text_for(message, reply_body)


def _finish_step(
    message: Message,
    transition: Transition,
    *,
    actor,
    roles: frozenset[Role],
    at: datetime,
    ends: Assignment | None = None,
    ends_as: AssignmentState | None = None,
    cancel_others: bool = False,
    save_message: bool = True,
    assignment: Assignment | None = None,
    note: str = "",
    is_public: bool = True,
    **message_fields,
) -> Event:
    """The end of a step: the assignment it ends takes `ends_as` and `finished_at` (and, with
    `cancel_others`, every other active assignment is cancelled); the message takes its new state
    and `message_fields` unless `save_message` is False; then the Event, which names `assignment`
    or else the ended one."""
    if ends is not None:
        assert ends_as is not None, "a step that ends an assignment says how it ends"
        ends.state, ends.finished_at = ends_as, at
        ends.save()
    if cancel_others:
        _cancel_active_assignments(message, at)
    if save_message:
        _apply(message, transition, **message_fields)
    return _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=note,
        assignment=assignment if assignment is not None else ends,
        is_public=is_public,
    )
