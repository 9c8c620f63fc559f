"""Replies: the lead unit drafts and submits, the unit head signs off, moderators publish or
return."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.lifecycle import Action, AssignmentState, ReplyState, Role

from ..models import Assignment, Message, Reply
from . import _steps
from ._steps import (
    _clock,
    _finish_step,
    _found,
    _locked_assignment,
    _locked_reply,
    _now,
    _record,
    _refresh_search_text,
    _require,
    _require_lead,
    _require_state,
    _roles,
    _unit_step,
)


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
    if in_flight:  # a second submit of the same reply, or a draft saved over a sent one
        raise lifecycle.TransitionRefused(_("A reply is already on its way; wait for its review."))


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
    reply = _found(_editable_reply(assignment), _("Write the reply first."), "body")
    roles = _roles(actor, message, assignment.unit)
    needs_signoff = assignment.unit.needs_head_signoff and Role.HEAD not in roles
    action = Action.SUBMIT_FOR_SIGNOFF if needs_signoff else Action.SUBMIT_REPLY
    transition = _steps._check(message, action, roles)
    reply.state = lifecycle.reply_state_after_submit(needs_signoff=needs_signoff)
    reply.submitted_at = at
    if not needs_signoff and assignment.unit.needs_head_signoff:
        reply.signed_off_by, reply.signed_off_at = actor, at  # the head wrote it
    reply.save()
    _finish_step(
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
    transition = _steps._check(message, Action.SIGN_OFF, roles)
    reply.state = ReplyState.UNDER_REVIEW
    reply.signed_off_by, reply.signed_off_at = actor, at
    reply.save()
    _finish_step(message, transition, actor=actor, roles=roles, at=at, assignment=reply.assignment)
    return reply


@transaction.atomic
def refuse_signoff(*, reply_id: int, actor, reason: str, now: datetime | None = None) -> Reply:
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.AWAITING_SIGNOFF)
    roles = _roles(actor, message, reply.unit)
    transition = _steps._check(message, Action.REFUSE_SIGNOFF, roles)
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
    transition = _steps._check(message, Action.APPROVE_REPLY, roles)
    reply.state, reply.published_at, reply.reviewed_by = ReplyState.PUBLISHED, at, actor
    reply.save()
    rules = _clock(message, reply.unit).rules
    _refresh_search_text(message, reply_body=reply.body)
    message.supervisions.filter(resolved_at=None).update(resolved_at=at)
    _finish_step(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        ends=reply.assignment,
        ends_as=AssignmentState.DONE,
        cancel_others=True,  # co-handling units that never gave their part
        replied_at=at,
        rate_by=rules.rating_deadline(at),
    )
    return reply


@transaction.atomic
def return_reply(*, reply_id: int, actor, reason: str, now: datetime | None = None) -> Reply:
    """Send a perfunctory or wrong reply back to the unit (退回重办)."""
    at = _now(now)
    message, reply = _locked_reply_in(reply_id, ReplyState.UNDER_REVIEW)
    roles = _roles(actor, message)
    transition = _steps._check(message, Action.RETURN_REPLY, roles)
    _require(bool(reason.strip()), _("Say why the reply goes back."), "reason")
    reply.state, reply.return_reason, reply.reviewed_by = (
        ReplyState.RETURNED,
        reason.strip(),
        actor,
    )
    reply.save()
    _finish_step(
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
