"""Messages come in: citizens and operators write, moderators screen, reject and dispatch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.lifecycle import Action, AssignmentKind, Role, State
from liuyan.directory.models import Board, Domain, Region, Unit

from .. import access, serials
from ..models import Message, MessageContact
from ..textrules import mask_personal_data, validate_body, validate_title
from . import _steps
from ._steps import (
    _cancel_active_assignments,
    _clock,
    _create_assignment,
    _finish_step,
    _found,
    _locked_message,
    _message_step,
    _now,
    _record,
    _refresh_search_text,
    _require,
    _require_fresh,
    _roles,
    _state_after,
)


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
        state=_state_after(transition).value,
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
    seen: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Approve a message in screening, correcting its public text and its classification."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.SCREEN, seen=seen)
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
    _finish_step(
        message, transition, actor=actor, roles=roles, at=at, is_public=False, screened_at=at
    )
    return message


@transaction.atomic
def reject_message(
    *,
    message_id: int,
    actor,
    reason: str,
    note: str = "",
    seen: int | None = None,
    now: datetime | None = None,
) -> Message:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.REJECT, seen=seen)
    _require(reason in lifecycle.RejectReason.__members__.values(), _("Choose a reason."), "reason")
    if reason == lifecycle.RejectReason.OTHER:
        _require(bool(note.strip()), _("Explain the reason to the author."), "note")
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=note.strip(),
        reject_reason=reason,
        reject_note=note.strip(),
        closed_at=at,
    )
    return message


@transaction.atomic
def mark_duplicate(
    *,
    message_id: int,
    original_id: int,
    actor,
    seen: int | None = None,
    now: datetime | None = None,
) -> Message:
    """The duplicate follows the original's outcome, so we point at the root original."""
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, Action.MARK_DUPLICATE, seen=seen)
    original = _found(
        Message.objects.filter(pk=original_id).first(), _("No such original message."), "original"
    )
    while original.duplicate_of is not None:  # a null duplicate_of_id reads as None, no query
        original = original.duplicate_of
    _require(original.pk != message.pk, _("A message cannot duplicate itself."), "original")
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=original.serial,
        duplicate_of=original,
        reject_reason=lifecycle.RejectReason.DUPLICATE,
        closed_at=at,
    )
    return message


def _screen_implicitly(message: Message, actor, roles: frozenset[Role], at: datetime) -> None:
    if message.screened_at is None:
        screening = _steps._check(message, Action.SCREEN, roles)
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
    seen: int | None = None,
    now: datetime | None = None,
) -> Message:
    """Send a screened message to one lead unit and optional co-handling units (交办).

    A page passes `seen` (the version it showed): a second submit of the same dispatch form
    would otherwise dispatch again (重新交办) and tell the unit twice."""
    at = _now(now)
    message = _locked_message(message_id)
    _require_fresh(message, seen)
    roles = _roles(actor, message)
    action = Action.DISPATCH if message.state == State.SUBMITTED else Action.REDISPATCH
    transition = _steps._check(message, action, roles)
    if action is Action.DISPATCH:
        _screen_implicitly(message, actor, roles, at)
    else:
        _cancel_active_assignments(message, at)
    lead = _create_assignment(message, lead_unit, kind=AssignmentKind.LEAD, at=at)
    for unit in _distinct_co_units(lead_unit, co_units):
        _create_assignment(message, unit, kind=AssignmentKind.CO, at=at)
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=note,
        assignment=lead,
        dispatched_at=at,
    )
    return message


@transaction.atomic
def dispatch_urgent_call(
    *, message_id: int, actor, lead_unit: Unit, note: str = "", now: datetime | None = None
) -> Message:
    """An operator sends the urgent call they entered straight to a unit, with the urgent
    deadlines (accept the same working day). Only their own, urgent, not yet screened message;
    it is made private, since nobody has screened its public text yet (moderators may still
    screen and publish it later by re-dispatching)."""
    at = _now(now)
    message = _locked_message(message_id)
    roles = _roles(actor, message)
    transition = _steps._check(message, Action.URGENT_DISPATCH, roles)
    if Role.MODERATOR not in roles and Role.ADMIN not in roles:
        _require(
            message.entered_by_id == actor.pk,
            _("Operators send on only the calls they entered themselves."),
        )
    _require(message.is_urgent, _("Only urgent calls go straight to a unit."), "is_urgent")
    lead = _create_assignment(message, lead_unit, kind=AssignmentKind.LEAD, at=at)
    message.is_public = False  # nobody has screened its public text yet
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note=note,
        assignment=lead,
        dispatched_at=at,
    )
    return message
