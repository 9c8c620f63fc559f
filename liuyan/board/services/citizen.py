"""Citizens respond to a reply: rate it, follow up, thank."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from liuyan.core import lifecycle
from liuyan.core.lifecycle import Action, State

from ..models import Evaluation, FollowUp, Thanks
from ..textrules import mask_personal_data, validate_body
from . import _steps
from ._steps import _finish_step, _locked_message, _message_step, _now, _record, _require, _roles


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


def _post(model: type[_Post], action: Action, *, message_id: int, actor, body: str, now) -> _Post:
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
