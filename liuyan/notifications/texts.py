"""The words of notifications. Titles carry only the serial number and unit names, so that a
title can go out as a text message without anyone's personal data; bodies add the public
(masked) title of the message."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board.models import Assignment, Event, Message
from liuyan.core.lifecycle import Action, AssignmentKind, AssignmentState

from .models import Notification


@dataclass(frozen=True)
class Text:
    kind: str
    title: str
    body: str


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


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
    else:
        title = _("Message %(serial)s is being handled again") % {"serial": serial}
    return Text(Notification.Kind.PROGRESS, title, message.public_title)


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
    elif action is Action.RATE_UNSATISFIED:
        title = _("The author of message %(serial)s is not satisfied with the reply") % values
    else:
        title = _("%(unit)s asks for more time on message %(serial)s") % values
    body = message.public_title
    if event.note:
        body = f"{body}\n{event.note}"
    return Text(Notification.Kind.ATTENTION, title, body)


def for_reminder(assignment: Assignment, kind: str, deadline) -> Text:
    values = {
        "serial": assignment.message.serial,
        "deadline": _when(deadline),
    }
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


def sms_text(notification: Notification) -> str:
    return _("[Leader message board] %(title)s. Sign in to see more.") % {
        "title": notification.title
    }


def email_text(notification: Notification, link: str) -> str:
    lines = [notification.title, "", notification.body]
    if link:
        lines += ["", link]
    lines += ["", _("You receive this because of your account on the leader message board.")]
    return "\n".join(lines)
