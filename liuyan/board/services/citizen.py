"""Citizens respond to a reply: rate it, follow up, thank."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, FollowUpState, State

from ..models import Assignment, Evaluation, FollowUp, Message, Thanks
from ..textrules import mask_personal_data, validate_body
from . import _steps
from ._steps import (
    _clock,
    _finish_step,
    _found,
    _locked_message,
    _message_step,
    _now,
    _record,
    _require,
    _roles,
)


def _validate_score(value: object, field: str) -> None:  # object: form data, checked here
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
    transition = _steps._check(message, action, roles)
    _require(
        message.rate_by is None or at <= message.rate_by,
        _("The time to rate this reply is over."),
    )
    evaluation = Evaluation.objects.create(
        message=message,
        board_id=message.board_id,
        round=message.round,
        solved=solved,
        attitude=attitude,
        speed=speed,
        comment=mask_personal_data(comment.strip()),
        created_at=at,
    )
    closed_at = at if transition.to_state == State.CLOSED else None
    _finish_step(message, transition, actor=actor, roles=roles, at=at, closed_at=closed_at)
    return evaluation


_Post = TypeVar("_Post", FollowUp, Thanks)


def _post(
    model: type[_Post], action: Action, *, message_id: int, actor, body: str, now, **fields
) -> _Post:
    at = _now(now)
    message, roles, transition = _message_step(message_id, actor, action)
    body = validate_body(body, minimum=2)
    post = model.objects.create(
        message=message,
        author=actor,
        body=body,
        public_body=mask_personal_data(body),
        created_at=at,
        **fields,
    )
    _record(
        message, transition, actor=actor, roles=roles, at=at, assignment=fields.get("assignment")
    )
    return post


def _answering_assignment(message: Message) -> Assignment | None:
    """The lead assignment whose reply the author asks about: the last one that was done."""
    return (
        message.assignments.filter(kind=AssignmentKind.LEAD, state=AssignmentState.DONE)
        .select_related("unit")
        .order_by("-round", "-id")
        .first()
    )


@transaction.atomic
def follow_up(*, message_id: int, actor, body: str, now: datetime | None = None) -> FollowUp:
    """The author asks a follow-up question (追问): the unit that replied owes an answer within
    FOLLOW_UP_ANSWER_DAYS working days, reviewed by moderators like a reply."""
    at = _now(now)
    message = Message.objects.select_related("region").get(pk=message_id)
    assignment = _answering_assignment(message)
    answer_by = None
    if assignment is not None:
        answer_by = _clock(message, assignment.unit).calendar.add_working_days(
            at, lifecycle.FOLLOW_UP_ANSWER_DAYS
        )
    return _post(
        FollowUp,
        Action.FOLLOW_UP,
        message_id=message_id,
        actor=actor,
        body=body,
        now=at,
        assignment=assignment,
        unit_id=assignment.unit_id if assignment is not None else None,
        answer_by=answer_by,
    )


def _locked_follow_up(follow_up_id: int, *states: FollowUpState) -> tuple[Message, FollowUp]:
    message_id = FollowUp.objects.values_list("message_id", flat=True).get(pk=follow_up_id)
    message = _locked_message(message_id)
    # Locked alone: PostgreSQL refuses FOR UPDATE on the nullable side of a join; the
    # assignment (and its unit) is read afterwards, under the message's lock.
    post = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    if post.state not in states:
        raise lifecycle.TransitionRefused(
            _("This follow-up is %(state)s.") % {"state": post.get_state_display()}
        )
    return message, post


@transaction.atomic
def answer_follow_up(
    *, follow_up_id: int, actor, body: str, now: datetime | None = None
) -> FollowUp:
    """The unit answers the follow-up question; moderators review the answer."""
    at = _now(now)
    message, post = _locked_follow_up(follow_up_id, *lifecycle.ANSWERABLE_FOLLOW_UP_STATES)
    assignment = _found(post.assignment, _("No unit owes an answer to this follow-up."))
    roles = _roles(actor, message, assignment.unit)
    transition = _steps._check(message, Action.ANSWER_FOLLOW_UP, roles)
    post.answer = validate_body(body, minimum=2)
    post.state, post.answered_by, post.answered_at = FollowUpState.UNDER_REVIEW, actor, at
    post.save()
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        assignment=assignment,
        is_public=False,
    )
    return post


@transaction.atomic
def review_follow_up_answer(
    *,
    follow_up_id: int,
    actor,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> FollowUp:
    """A moderator publishes the answer under the question, or sends it back with a reason."""
    at = _now(now)
    message, post = _locked_follow_up(follow_up_id, FollowUpState.UNDER_REVIEW)
    action = Action.APPROVE_FOLLOW_UP_ANSWER if approve else Action.RETURN_FOLLOW_UP_ANSWER
    roles = _roles(actor, message)
    transition = _steps._check(message, action, roles)
    if approve:
        post.state, post.published_at = FollowUpState.PUBLISHED, at
    else:
        _require(bool(reason.strip()), _("Say why the answer goes back."), "reason")
        post.state, post.return_reason = FollowUpState.RETURNED, reason.strip()
    post.save()
    _record(
        message,
        transition,
        actor=actor,
        roles=roles,
        at=at,
        note="" if approve else reason.strip(),
        assignment=post.assignment,
        is_public=approve,
    )
    return post


@transaction.atomic
def thank(*, message_id: int, actor, body: str, now: datetime | None = None) -> Thanks:
    return _post(Thanks, Action.THANK, message_id=message_id, actor=actor, body=body, now=now)


AUTHOR_ROLES = frozenset({lifecycle.Role.AUTHOR})


@transaction.atomic
def follow_up_from_contact(*, message_id: int, body: str, now: datetime | None = None) -> FollowUp:
    """A follow-up from an author without an account, identified by the channel itself (mail
    in the thread of their message, from the address it came from: channels.mailbox checks
    that). The same rule as `follow_up`: only once the message has a reply."""
    at = _now(now)
    message = _locked_message(message_id)
    transition = _steps._check(message, Action.FOLLOW_UP, AUTHOR_ROLES)
    body = validate_body(body, minimum=2)
    post = FollowUp.objects.create(
        message=message,
        author=None,
        body=body,
        public_body=mask_personal_data(body),
        created_at=at,
    )
    _record(message, transition, actor=None, roles=AUTHOR_ROLES, at=at)
    return post
