"""Units handle their assignment: accept, return, transfer, invite co-handling units, give a
part, ask for more time (and moderators decide on it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState
from liuyan.directory.models import Unit

from ..models import Assignment, Contribution, ExtensionRequest, Message
from . import _steps
from ._steps import (
    _active_assignments,
    _clock,
    _create_assignment,
    _finish_step,
    _locked_assignment,
    _now,
    _record,
    _require,
    _require_state,
    _roles,
    _unit_step,
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
    _finish_step(message, transition, actor=actor, roles=roles, at=at, assignment=assignment)
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
    assignment.note = reason.strip()
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        ends=assignment,
        ends_as=AssignmentState.RETURNED,
        cancel_others=True,
        note=reason.strip(),
        screen_by=_clock(message).screen_by(at),
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
    child = _create_assignment(message, to_unit, kind=AssignmentKind.LEAD, at=at, parent=assignment)
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        ends=assignment,
        ends_as=AssignmentState.TRANSFERRED,
        assignment=child,
        note=note,
    )
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
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        ends=assignment,
        ends_as=AssignmentState.CONTRIBUTED,
        save_message=False,  # a part given changes the assignment, not the message
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
    transition = _steps._check(message, action, roles)
    _require(
        request.status == ExtensionRequest.Status.PENDING,
        _("This request has already been decided."),
    )
    if approve:
        _require_state(assignment, AssignmentState.ACCEPTED)
        clock = _clock(message, assignment.unit)
        reply_by = assignment.reply_by
        assert reply_by is not None, "accept() sets the deadline of an accepted assignment"
        assignment.reply_by = clock.extend(reply_by, request.days)
        assignment.save()
    request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DENIED
    request.decided_by, request.decided_at, request.decision_note = actor, at, note.strip()
    request.save()
    _record(message, transition, actor=actor, roles=roles, at=at, note=note, assignment=assignment)
    return request
