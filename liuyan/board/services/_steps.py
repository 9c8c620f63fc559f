"""Every write to a message's life. The only code that changes Message/Assignment/Reply state.

Each service runs in one transaction, locks the message row first (so two people acting at once
queue up instead of corrupting it), asks `core.lifecycle.transition` whether the actor may take
the step, applies it, moves deadlines with the working-day clock, and appends an Event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.clock import Clock
from liuyan.core.lifecycle import (
    Action,
    AssignmentKind,
    AssignmentState,
    ReplyState,
    Role,
    State,
    Transition,
)
from liuyan.directory.models import Board, Domain, Region, Unit
from liuyan.directory.selectors import clock_for
from liuyan.notifications.dispatch import queue_for_event

from .. import access, search, selectors, serials
from ..models import (
    Assignment,
    Contribution,
    Evaluation,
    Event,
    ExtensionRequest,
    FollowUp,
    Instruction,
    Message,
    MessageContact,
    Reply,
    Supervision,
    Thanks,
)
from ..textrules import mask_personal_data, validate_body, validate_title

SYSTEM_ROLES = frozenset({Role.SYSTEM})

# --- the machinery shared by every step ---------------------------------------------------


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
    # Queued in the step's transaction: the step and its notifications commit together or not
    # at all, and none is ever sent for a rolled-back step (see notifications.dispatch).
    queue_for_event(event)
    return event


def _apply(message: Message, transition: Transition, **fields) -> None:
    message.state = transition.to_state.value
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()


def _clock(message: Message, unit: Unit | None = None) -> Clock:
    return clock_for(unit=unit, region=message.region)


def _require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise ValidationError({field: message} if field else message)


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
        unit=unit,
        kind=kind,
        parent=parent,
        round=message.round,
        state=AssignmentState.PENDING,
        created_at=at,
        accept_by=clock.accept_by(at, urgent=message.is_urgent),
    )


class _MessageStep(NamedTuple):
    message: Message
    roles: frozenset[Role]
    transition: Transition


def _message_step(message_id: int, actor, action: Action) -> _MessageStep:
    """The start of every step taken on the message itself: lock it, then check that the actor
    may take `action` in its current state."""
    message = _locked_message(message_id)
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


# --- citizens and operators write --------------------------------------------------------


@transaction.atomic
def submit_message(
    *,
    author,
    board: Board,
    type: str,
    title: str,
    body: str,
    is_public: bool = True,
    domain: Domain | None = None,
    region: Region | None = None,
    place: str = "",
    is_urgent: bool = False,
    channel: str = Message.Channel.WEB,
    contact: dict | None = None,
    entered_by=None,
    now: datetime | None = None,
) -> Message:
    """A citizen (or an operator for a caller) writes to a board."""
    at = _now(now)
    title, body = validate_title(title), validate_body(body)
    _require(type in Message.Type.values, _("Choose a message type."), "type")
    _require(channel in Message.Channel.values, _("Unknown channel."), "channel")
    _require(board.is_active, _("This board does not take messages now."), "board")
    roles = frozenset({Role.OPERATOR} if entered_by is not None else {Role.AUTHOR})
    if entered_by is not None:
        _require(
            Role.OPERATOR in access.roles_for(entered_by, None),
            _("Only hotline operators may enter a message for a caller."),
        )
    transition = lifecycle.transition(None, Action.SUBMIT, roles)
    message = Message(
        author=author,
        entered_by=entered_by,
        board=board,
        region=region or board.region,
        domain=domain,
        type=type,
        channel=channel,
        title=title,
        body=body,
        public_title=mask_personal_data(title),
        public_body=mask_personal_data(body),
        place=place.strip(),
        is_public=is_public,
        is_urgent=is_urgent,
        state=transition.to_state.value,
        submitted_at=at,
    )
    message.screen_by = _clock(message).screen_by(at)
    _refresh_search_text(message)
    message.serial = serials.next_serial(at)  # last: the day's counter stays locked to commit
    message.save()
    if contact:
        MessageContact.objects.create(message=message, **contact)
    _record(message, transition, actor=entered_by or author, roles=roles, at=at)
    return message


# --- moderators screen and dispatch ------------------------------------------------------


@transaction.atomic
def screen_message(
    *,
    message_id: int,
    actor,
    public_title: str | None = None,
    public_body: str | None = None,
    type: str | None = None,
    domain: Domain | None = None,
    is_urgent: bool | None = None,
    now: datetime | None = None,
) -> Message:
    """Approve a message in screening, correcting its public text and its classification."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.SCREEN)
    # What the moderator types is published: masked like the citizen's own text.
    if public_title is not None:
        message.public_title = mask_personal_data(validate_title(public_title))
    if public_body is not None:
        message.public_body = mask_personal_data(validate_body(public_body))
    if type is not None:
        _require(type in Message.Type.values, _("Choose a message type."), "type")
        message.type = type
    if domain is not None:
        message.domain = domain
    if is_urgent is not None:
        message.is_urgent = is_urgent
    _refresh_search_text(message)
    _apply(message, transition, screened_at=at)
    _record(message, transition, actor=actor, roles=roles, at=at, is_public=False)
    return message


@transaction.atomic
def reject_message(
    *, message_id: int, actor, reason: str, note: str = "", now: datetime | None = None
) -> Message:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.REJECT)
    _require(reason in lifecycle.RejectReason.__members__.values(), _("Choose a reason."), "reason")
    if reason == lifecycle.RejectReason.OTHER:
        _require(bool(note.strip()), _("Explain the reason to the author."), "note")
    _apply(message, transition, reject_reason=reason, reject_note=note.strip(), closed_at=at)
    _record(message, transition, actor=actor, roles=roles, at=at, note=note.strip())
    return message


@transaction.atomic
def mark_duplicate(
    *, message_id: int, original_id: int, actor, now: datetime | None = None
) -> Message:
    """The duplicate follows the original's outcome, so we point at the root original."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.MARK_DUPLICATE)
    original = Message.objects.filter(pk=original_id).first()
    _require(original is not None, _("No such original message."), "original")
    while original.duplicate_of_id is not None:
        original = original.duplicate_of
    _require(original.pk != message.pk, _("A message cannot duplicate itself."), "original")
    _apply(
        message,
        transition,
        duplicate_of=original,
        reject_reason=lifecycle.RejectReason.DUPLICATE,
        closed_at=at,
    )
    _record(message, transition, actor=actor, roles=roles, at=at, note=original.serial)
    return message


def _screen_implicitly(message: Message, actor, roles: frozenset[Role], at: datetime) -> None:
    if message.screened_at is None:
        screening = _check(message, Action.SCREEN, roles)
        message.screened_at = at
        _record(message, screening, actor=actor, roles=roles, at=at, is_public=False)


def _distinct_co_units(lead_unit: Unit, co_units: Iterable[Unit]) -> list[Unit]:
    seen, result = {lead_unit.pk}, []
    for unit in co_units:
        if unit.pk not in seen:
            seen.add(unit.pk)
            result.append(unit)
    return result


@transaction.atomic
def dispatch_message(
    *,
    message_id: int,
    actor,
    lead_unit: Unit,
    co_units: Iterable[Unit] = (),
    note: str = "",
    now: datetime | None = None,
) -> Message:
    """Send a screened message to one lead unit and optional co-handling units (交办)."""
    at = _now(now)
    message = _locked_message(message_id)
    roles = _roles(actor, message)
    action = Action.DISPATCH if message.state == State.SUBMITTED else Action.REDISPATCH
    transition = _check(message, action, roles)
    if action is Action.DISPATCH:
        _screen_implicitly(message, actor, roles, at)
    else:
        _cancel_active_assignments(message, at)
    lead = _create_assignment(message, lead_unit, kind=AssignmentKind.LEAD, at=at)
    for unit in _distinct_co_units(lead_unit, co_units):
        _create_assignment(message, unit, kind=AssignmentKind.CO, at=at)
    _apply(message, transition, dispatched_at=at)
    _record(message, transition, actor=actor, roles=roles, at=at, note=note, assignment=lead)
    return message


# --- units handle ------------------------------------------------------------------------


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


@transaction.atomic
def accept_assignment(*, assignment_id: int, actor, now: datetime | None = None) -> Assignment:
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.ACCEPT, AssignmentState.PENDING
    )
    clock = _clock(message, assignment.unit)
    assignment.state = AssignmentState.ACCEPTED
    assignment.accepted_at = at
    assignment.reply_by = clock.reply_by(at, urgent=message.is_urgent)
    assignment.save()
    _apply(message, transition)
    _record(message, transition, actor=actor, roles=roles, at=at, assignment=assignment)
    return assignment


@transaction.atomic
def return_assignment(
    *, assignment_id: int, actor, reason: str, now: datetime | None = None
) -> Message:
    """The unit says the message is not theirs (退回); moderators route it again."""
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.RETURN, AssignmentState.PENDING, AssignmentState.ACCEPTED
    )
    _require(bool(reason.strip()), _("Say why the message is returned."), "reason")
    assignment.state = AssignmentState.RETURNED
    assignment.finished_at = at
    assignment.note = reason.strip()
    assignment.save()
    _cancel_active_assignments(message, at)
    _apply(message, transition, screen_by=_clock(message).screen_by(at))
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=reason.strip(),
        assignment=assignment,
    )
    return message


@transaction.atomic
def transfer_assignment(
    *, assignment_id: int, actor, to_unit: Unit, note: str = "", now: datetime | None = None
) -> Assignment:
    """Pass the duty to a sub-unit (转办): the old assignment ends, a child one starts."""
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.TRANSFER, AssignmentState.PENDING, AssignmentState.ACCEPTED
    )
    _require(
        to_unit.pk in assignment.unit.descendant_ids(),
        _("A message can only be transferred to a sub-unit."),
        "to_unit",
    )
    assignment.state = AssignmentState.TRANSFERRED
    assignment.finished_at = at
    assignment.save()
    child = _create_assignment(message, to_unit, kind=AssignmentKind.LEAD, at=at, parent=assignment)
    _apply(message, transition)
    _record(message, transition, actor=actor, roles=roles, at=at, note=note, assignment=child)
    return child


@transaction.atomic
def invite_co_units(
    *, assignment_id: int, actor, units: Iterable[Unit], now: datetime | None = None
) -> list[Assignment]:
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.INVITE_CO, AssignmentState.ACCEPTED
    )
    already = set(_active_assignments(message).values_list("unit_id", flat=True)) | {
        assignment.unit_id
    }
    invited = [
        _create_assignment(message, unit, kind=AssignmentKind.CO, at=at)
        for unit in units
        if unit.pk not in already
    ]
    _require(bool(invited), _("Choose at least one other unit."), "units")
    names = "、".join(str(a.unit) for a in invited)
    _record(message, transition, actor=actor, roles=roles, at=at, note=names, assignment=assignment)
    return invited


@transaction.atomic
def contribute(
    *, assignment_id: int, actor, body: str, now: datetime | None = None
) -> Contribution:
    """A co-handling unit gives its part to the lead unit."""
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id,
        actor,
        Action.CONTRIBUTE,
        AssignmentState.PENDING,
        AssignmentState.ACCEPTED,
        kind=AssignmentKind.CO,
    )
    _require(bool(body.strip()), _("Write your unit's part."), "body")
    contribution = Contribution.objects.create(
        assignment=assignment, author=actor, body=body.strip(), created_at=at
    )
    assignment.state = AssignmentState.CONTRIBUTED
    assignment.finished_at = at
    assignment.save()
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        assignment=assignment,
        is_public=False,
    )
    return contribution


@transaction.atomic
def request_extension(
    *, assignment_id: int, actor, reason: str, days: int, now: datetime | None = None
) -> ExtensionRequest:
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.REQUEST_EXTENSION, AssignmentState.ACCEPTED
    )
    rules = _clock(message, assignment.unit).rules
    _require(bool(reason.strip()), _("Give a reason for the extension."), "reason")
    _require(
        1 <= days <= rules.extension_days,
        _("Ask for 1 to %(max)d working days.") % {"max": rules.extension_days},
        "days",
    )
    # Counted from the requests themselves, so the limit can never disagree with the record.
    asked = assignment.extension_requests.exclude(status=ExtensionRequest.Status.DENIED)
    _require(
        asked.count() < rules.max_extensions
        and not asked.filter(status=ExtensionRequest.Status.PENDING).exists(),
        _("Only one extension may be asked for in each round."),
    )
    request = ExtensionRequest.objects.create(
        assignment=assignment, requested_by=actor, reason=reason.strip(), days=days, created_at=at
    )
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=reason.strip(),
        assignment=assignment,
        is_public=False,
    )
    return request


@transaction.atomic
def decide_extension(
    *,
    request_id: int,
    actor,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> ExtensionRequest:
    at = _now(now)
    assignment_id = ExtensionRequest.objects.values_list("assignment_id", flat=True).get(
        pk=request_id
    )
    message, assignment = _locked_assignment(assignment_id)
    request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
    action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
    roles = _roles(actor, message)
    transition = _check(message, action, roles)
    _require(
        request.status == ExtensionRequest.Status.PENDING,
        _("This request has already been decided."),
    )
    if approve:
        _require_state(assignment, AssignmentState.ACCEPTED)
        clock = _clock(message, assignment.unit)
        assignment.reply_by = clock.extend(assignment.reply_by, request.days)
        assignment.save()
    request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DENIED
    request.decided_by, request.decided_at, request.decision_note = actor, at, note.strip()
    request.save()
    _record(message, transition, actor=actor, roles=roles, at=at, note=note, assignment=assignment)
    return request


# --- replies -----------------------------------------------------------------------------


def _editable_reply(assignment: Assignment) -> Reply | None:
    return (
        assignment.replies.select_for_update()
        .filter(state__in=lifecycle.EDITABLE_REPLY_STATES)
        .order_by("-id")
        .first()
    )


def _require_no_reply_in_flight(assignment: Assignment) -> None:
    in_flight = assignment.replies.filter(
        state__in=[ReplyState.AWAITING_SIGNOFF, ReplyState.UNDER_REVIEW]
    ).exists()
    _require(not in_flight, _("A reply is already on its way; wait for its review."))


@transaction.atomic
def save_reply_draft(*, assignment_id: int, actor, body: str, now: datetime | None = None) -> Reply:
    """Write or revise the lead unit's reply; drafts are private to the unit."""
    at = _now(now)
    message, assignment, roles, transition = _unit_step(
        assignment_id, actor, Action.DRAFT_REPLY, AssignmentState.ACCEPTED
    )
    _require_no_reply_in_flight(assignment)
    _require(bool(body.strip()), _("The reply is empty."), "body")
    reply = _editable_reply(assignment)
    if reply is None:
        reply = Reply.objects.create(
            message=message,
            assignment=assignment,
            unit=assignment.unit,
            author=actor,
            round=message.round,
            body=body.strip(),
            created_at=at,
        )
        _record(
            message,
            transition,
            actor=actor,
            roles=roles,
            at=at,
            assignment=assignment,
            is_public=False,
        )
    else:
        reply.body, reply.author = body.strip(), actor
        reply.save()
    return reply


@transaction.atomic
def submit_reply(
    *, assignment_id: int, actor, body: str | None = None, now: datetime | None = None
) -> Reply:
    """Send the reply on: to the unit head first where the unit requires it, else to review."""
    at = _now(now)
    if body is not None:
        save_reply_draft(assignment_id=assignment_id, actor=actor, body=body, now=at)
    message, assignment = _locked_assignment(assignment_id)
    _require_lead(assignment)
    _require_state(assignment, AssignmentState.ACCEPTED)
    reply = _editable_reply(assignment)
    _require(reply is not None, _("Write the reply first."), "body")
    roles = _roles(actor, message, assignment.unit)
    needs_signoff = assignment.unit.needs_head_signoff and Role.HEAD not in roles
    action = Action.SUBMIT_FOR_SIGNOFF if needs_signoff else Action.SUBMIT_REPLY
    transition = _check(message, action, roles)
    reply.state = lifecycle.reply_state_after_submit(needs_signoff=needs_signoff)
    reply.submitted_at = at
    if not needs_signoff and assignment.unit.needs_head_signoff:
        reply.signed_off_by, reply.signed_off_at = actor, at  # the head wrote it
    reply.save()
    _apply(message, transition)
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        assignment=assignment,
        is_public=not needs_signoff,
    )
    return reply


def _locked_reply_in(reply_id: int, *states: ReplyState) -> tuple[Message, Reply]:
    message, reply = _locked_reply(reply_id)
    if reply.state not in states:
        raise lifecycle.TransitionRefused(
            _("This reply is %(state)s.") % {"state": reply.get_state_display()}
        )
    return message, reply


@transaction.atomic
def sign_off_reply(*, reply_id: int, actor, now: datetime | None = None) -> Reply:
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.AWAITING_SIGNOFF)
    roles = _roles(actor, message, reply.unit)
    transition = _check(message, Action.SIGN_OFF, roles)
    reply.state = ReplyState.UNDER_REVIEW
    reply.signed_off_by, reply.signed_off_at = actor, at
    reply.save()
    _apply(message, transition)
    _record(message, transition, actor=actor, roles=roles, at=at, assignment=reply.assignment)
    return reply


@transaction.atomic
def refuse_signoff(*, reply_id: int, actor, reason: str, now: datetime | None = None) -> Reply:
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.AWAITING_SIGNOFF)
    roles = _roles(actor, message, reply.unit)
    transition = _check(message, Action.REFUSE_SIGNOFF, roles)
    _require(bool(reason.strip()), _("Say what to change."), "reason")
    reply.state, reply.return_reason = ReplyState.RETURNED, reason.strip()
    reply.save()
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=reason.strip(),
        assignment=reply.assignment,
        is_public=False,
    )
    return reply


@transaction.atomic
def approve_reply(*, reply_id: int, actor, now: datetime | None = None) -> Reply:
    """Publish the reply: the message is replied, the citizen's rating window opens."""
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.UNDER_REVIEW)
    roles = _roles(actor, message)
    transition = _check(message, Action.APPROVE_REPLY, roles)
    reply.state, reply.published_at, reply.reviewed_by = ReplyState.PUBLISHED, at, actor
    reply.save()
    assignment = reply.assignment
    assignment.state, assignment.finished_at = AssignmentState.DONE, at
    assignment.save()
    _cancel_active_assignments(message, at)  # co-handling units that never gave their part
    rules = _clock(message, reply.unit).rules
    _refresh_search_text(message, reply_body=reply.body)
    _apply(message, transition, replied_at=at, rate_by=rules.rating_deadline(at))
    message.supervisions.filter(resolved_at=None).update(resolved_at=at)
    _record(message, transition, actor=actor, roles=roles, at=at, assignment=assignment)
    return reply


@transaction.atomic
def return_reply(*, reply_id: int, actor, reason: str, now: datetime | None = None) -> Reply:
    """Send a perfunctory or wrong reply back to the unit (退回重办)."""
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.UNDER_REVIEW)
    roles = _roles(actor, message)
    transition = _check(message, Action.RETURN_REPLY, roles)
    _require(bool(reason.strip()), _("Say why the reply goes back."), "reason")
    reply.state, reply.return_reason, reply.reviewed_by = (
        ReplyState.RETURNED,
        reason.strip(),
        actor,
    )
    reply.save()
    _apply(message, transition)
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=reason.strip(),
        assignment=reply.assignment,
        is_public=False,
    )
    return reply


# --- citizens respond --------------------------------------------------------------------


def _validate_score(value: int, field: str) -> None:
    _require(isinstance(value, int) and 1 <= value <= 5, _("Give a score from 1 to 5."), field)


@transaction.atomic
def rate_reply(
    *,
    message_id: int,
    actor,
    solved: bool,
    attitude: int,
    speed: int,
    comment: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """The author rates the reply: satisfied closes the message; unsatisfied asks for a look
    back (回头看)."""
    at = _now(now)
    message = _locked_message(message_id)
    roles = _roles(actor, message)
    _validate_score(attitude, "attitude")
    _validate_score(speed, "speed")
    action = lifecycle.rating_action(solved=solved, attitude=attitude, speed=speed)
    transition = _check(message, action, roles)
    _require(
        message.rate_by is None or at <= message.rate_by,
        _("The time to rate this reply is over."),
    )
    evaluation = Evaluation.objects.create(
        message=message,
        round=message.round,
        solved=solved,
        attitude=attitude,
        speed=speed,
        comment=mask_personal_data(comment.strip()),
        created_at=at,
    )
    closed_at = at if transition.to_state == State.CLOSED else None
    _apply(message, transition, closed_at=closed_at)
    _record(message, transition, actor=actor, roles=roles, at=at)
    return evaluation


def _post(model, action: Action, *, message_id: int, actor, body: str, now) -> object:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, action)
    body = validate_body(body, minimum=2)
    post = model.objects.create(
        message=message,
        author=actor,
        body=body,
        public_body=mask_personal_data(body),
        created_at=at,
    )
    _record(message, transition, actor=actor, roles=roles, at=at)
    return post


@transaction.atomic
def follow_up(*, message_id: int, actor, body: str, now: datetime | None = None) -> FollowUp:
    return _post(FollowUp, Action.FOLLOW_UP, message_id=message_id, actor=actor, body=body, now=now)


@transaction.atomic
def thank(*, message_id: int, actor, body: str, now: datetime | None = None) -> Thanks:
    return _post(Thanks, Action.THANK, message_id=message_id, actor=actor, body=body, now=now)


# --- look back, reopen, close -------------------------------------------------------------


@transaction.atomic
def reopen_message(
    *,
    message_id: int,
    actor,
    unit: Unit | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Assignment:
    """A second round (二次办理) with fresh deadlines, by default with the last lead unit."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.REOPEN)
    if unit is None:
        last_lead = (
            message.assignments.filter(kind=AssignmentKind.LEAD, state=AssignmentState.DONE)
            .select_related("unit")
            .order_by("-id")
            .first()
        )
        _require(last_lead is not None, _("Choose the unit for the second round."), "unit")
        unit = last_lead.unit
    message.round += 1
    lead = _create_assignment(message, unit, kind=AssignmentKind.LEAD, at=at)
    _apply(message, transition, dispatched_at=at, rate_by=None, replied_at=None)
    _record(message, transition, actor=actor, roles=roles, at=at, note=note, assignment=lead)
    return lead


@transaction.atomic
def close_message(
    *, message_id: int, actor, note: str = "", now: datetime | None = None
) -> Message:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.CLOSE)
    _apply(message, transition, closed_at=at)
    _record(message, transition, actor=actor, roles=roles, at=at, note=note.strip())
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
    transition = _check(message, Action.AUTO_CLOSE, SYSTEM_ROLES)
    _apply(message, transition, closed_at=at)
    _record(message, transition, actor=None, roles=SYSTEM_ROLES, at=at)
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
    now: datetime | None = None,
) -> Supervision:
    """Escalate a message: 催办, 督办 or 挂牌督办, due by a working day."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.SUPERVISE)
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
    *, message_id: int, actor, body: str, is_public: bool = False, now: datetime | None = None
) -> Instruction:
    """A leader's written instruction (批示); the leader chooses whether the public sees it."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.INSTRUCT)
    body = validate_body(body, minimum=2)
    instruction = Instruction.objects.create(
        message=message, author=actor, body=body, is_public=is_public, created_at=at
    )
    _record(message, transition, actor=actor, roles=roles, at=at, note=body, is_public=is_public)
    return instruction
