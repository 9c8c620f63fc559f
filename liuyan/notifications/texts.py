"""The words of notifications. Titles carry only the serial number and unit names, so that a
title can go out as a text message without anyone's personal data; bodies add the public
(masked) title of the message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board.models import (
    REJECT_REASON_LABELS,
    SUPERVISION_LABELS,
    Assignment,
    Event,
    Message,
)
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState, SupervisionLevel

from .models import Notification


@dataclass(frozen=True)
class Text:
    kind: str
    title: str
    body: str


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _label(labels: Mapping[Any, Any], value: str) -> str:
    """The words for a stored choice value (an enum member equals its value)."""
    return str(labels.get(value, value))


def for_citizen(event: Event, message: Message) -> Text:
    action = Action(event.action)
    serial = message.serial
    if action is Action.DISPATCH:
        unit = event.unit.name if event.unit else ""
        title = _("Message %(serial)s has been sent to %(unit)s for handling") % {
            "serial": serial,
            "unit": unit,
        }
    elif action is Action.APPROVE_REPLY:
        title = _("Message %(serial)s has been answered") % {"serial": serial}
    elif action is Action.REJECT:
        reason = _label(REJECT_REASON_LABELS, message.reject_reason)
        title = _("Message %(serial)s was not accepted: %(reason)s") % {
            "serial": serial,
            "reason": reason,
        }
        body = message.public_title
        if message.reject_note:
            body = f"{body}\n{message.reject_note}"
        return Text(Notification.Kind.PROGRESS, title, body)
    elif action is Action.MARK_DUPLICATE:
        title = _("Message %(serial)s duplicates message %(original)s") % {
            "serial": serial,
            "original": event.note,
        }
    elif action is Action.APPROVE_FOLLOW_UP_ANSWER:
        title = _("Your follow-up on message %(serial)s has been answered") % {"serial": serial}
    else:
        title = _("Message %(serial)s is being handled again") % {"serial": serial}
    return Text(Notification.Kind.PROGRESS, title, message.public_title)


def for_unit_work(event: Event, message: Message) -> Text:
    """Work on an assignment the unit already holds."""
    action = Action(event.action)
    values = {"serial": message.serial}
    titles = {
        Action.RETURN_REPLY: _("The reply to message %(serial)s was sent back for revision"),
        Action.REFUSE_SIGNOFF: _("The head sent the reply to message %(serial)s back"),
        Action.APPROVE_EXTENSION: _("More time granted on message %(serial)s"),
        Action.DENY_EXTENSION: _("No extension on message %(serial)s"),
        Action.FOLLOW_UP: _("The author of message %(serial)s asks a follow-up question"),
        Action.RETURN_FOLLOW_UP_ANSWER: _(
            "The answer to the follow-up on message %(serial)s was sent back"
        ),
        Action.SUBMIT_FOR_SIGNOFF: _("A reply to message %(serial)s waits for your sign-off"),
    }
    title = titles[action] % values
    body = message.public_title
    if action is Action.FOLLOW_UP:
        question = message.follow_ups.filter(created_at=event.at).order_by("-id").first()
        if question is not None:
            body = _("%(question)s Answer by %(deadline)s.") % {
                "question": question.public_body,
                "deadline": _when(question.answer_by),
            }
    elif action is Action.APPROVE_EXTENSION and event.assignment is not None:
        body = _("%(title)s. Reply by %(deadline)s.") % {
            "title": message.public_title,
            "deadline": _when(event.assignment.reply_by),
        }
    elif event.note:
        body = f"{body}\n{event.note}"
    return Text(Notification.Kind.TASK, title, body)


def for_oversight(event: Event, message: Message, level: str | None) -> Text:
    values = {"serial": message.serial}
    if event.action == Action.INSTRUCT:
        title = _("Leader's instruction on message %(serial)s") % values
        return Text(Notification.Kind.INSTRUCTION, title, f"{message.public_title}\n{event.note}")
    label = _label(SUPERVISION_LABELS, level or SupervisionLevel.SUPERVISION)
    title = _("%(level)s: message %(serial)s") % {"level": label, **values}
    body = message.public_title
    supervision = message.supervisions.filter(created_at=event.at).order_by("-id").first()
    if supervision is not None:
        body = _("%(title)s. Due by %(deadline)s.") % {
            "title": message.public_title,
            "deadline": _when(supervision.due_at),
        }
    if event.note:
        body = f"{body}\n{event.note}"
    return Text(Notification.Kind.SUPERVISION, title, body)


def for_unit(assignment: Assignment, message: Message) -> Text:
    if assignment.kind == AssignmentKind.CO:
        title = _("Your unit is asked to help with message %(serial)s") % {"serial": message.serial}
    else:
        title = _("New message for your unit to handle: %(serial)s") % {"serial": message.serial}
    body = _("%(title)s. Accept by %(deadline)s.") % {
        "title": message.public_title,
        "deadline": _when(assignment.accept_by),
    }
    return Text(Notification.Kind.ASSIGNMENT, title, body)


def for_moderator(event: Event, message: Message) -> Text:
    action = Action(event.action)
    values = {"serial": message.serial, "unit": event.unit.name if event.unit else ""}
    if action is Action.RETURN:
        title = _("%(unit)s returned message %(serial)s") % values
    elif action is Action.ANSWER_FOLLOW_UP:
        title = _("%(unit)s answered the follow-up on message %(serial)s") % values
    elif action is Action.RATE_UNSATISFIED:
        title = _("The author of message %(serial)s is not satisfied with the reply") % values
    elif action is Action.URGENT_DISPATCH:
        title = _("Urgent call %(serial)s was sent straight to %(unit)s; please screen it") % values
    else:
        title = _("%(unit)s asks for more time on message %(serial)s") % values
    body = message.public_title
    if event.note:
        body = f"{body}\n{event.note}"
    return Text(Notification.Kind.ATTENTION, title, body)


def for_reminder(assignment: Assignment, kind: str, deadline, *, follow_up: bool = False) -> Text:
    values = {
        "serial": assignment.message.serial,
        "deadline": _when(deadline),
    }
    if follow_up:
        title = (
            _("Answer the follow-up on message %(serial)s by %(deadline)s")
            if kind == Notification.Kind.DUE_SOON
            else _(
                "Overdue: the follow-up on message %(serial)s was to be answered by %(deadline)s"
            )
        ) % values
        return Text(kind, title, assignment.message.public_title)
    accepting = assignment.state == AssignmentState.PENDING
    if kind == Notification.Kind.DUE_SOON:
        title = (
            _("Accept message %(serial)s by %(deadline)s")
            if accepting
            else _("Reply to message %(serial)s by %(deadline)s")
        ) % values
    else:
        title = (
            _("Overdue: message %(serial)s was to be accepted by %(deadline)s")
            if accepting
            else _("Overdue: message %(serial)s was to be answered by %(deadline)s")
        ) % values
    return Text(kind, title, assignment.message.public_title)


def sms_text(notification: Notification, link: str = "") -> str:
    """The text message: the title (never personal data) and, where the site's address is
    known (LIUYAN_SITE_URL), the link to the page."""
    if link.startswith("http"):
        return _("[Leader message board] %(title)s. See %(link)s") % {
            "title": notification.title,
            "link": link,
        }
    return _("[Leader message board] %(title)s. Sign in to see more.") % {
        "title": notification.title
    }


def email_text(notification: Notification, link: str) -> str:
    lines = [notification.title, "", notification.body]
    if link:
        lines += ["", link]
    lines += ["", _("You receive this because of your account on the leader message board.")]
    return "\n".join(lines)
