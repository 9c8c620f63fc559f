"""Where a notification leads: the citizen's page of the message, or the staff desk's page where
the recipient acts on it (the unit's assignment, the moderator's message)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from liuyan.board.models import Message

from .models import Notification

# The pages the portal and the desk provide, by URL name.
CITIZEN_MESSAGE_URL = "portal:message"  # by serial
MODERATOR_MESSAGE_URL = "desk:moderate_message"  # by message id
UNIT_ASSIGNMENT_URL = "desk:assignment"  # by assignment id
LEADER_MESSAGE_URL = "desk:leader_message"  # by message id


def _reversed(name: str, arg) -> str:
    """The page, or '' while the app that shows it has no such page."""
    try:
        return reverse(name, args=[arg])
    except NoReverseMatch:
        return ""


def citizen_url(message: Message) -> str:
    return _reversed(CITIZEN_MESSAGE_URL, message.serial)


def moderator_url(message_id: int) -> str:
    return _reversed(MODERATOR_MESSAGE_URL, message_id)


def leader_url(message_id: int) -> str:
    return _reversed(LEADER_MESSAGE_URL, message_id)


def unit_url(assignment_id: int) -> str:
    return _reversed(UNIT_ASSIGNMENT_URL, assignment_id)


def target_url(notification: Notification) -> str:
    """The notification's link; for one stored without a link, the message's page where there
    is one for its kind, else the inbox."""
    if notification.url:
        return notification.url
    found = ""
    message = notification.message  # None without a query when no message is linked
    if message is not None and notification.kind == Notification.Kind.PROGRESS:
        found = citizen_url(message)
    elif notification.message_id and notification.kind == Notification.Kind.ATTENTION:
        found = moderator_url(notification.message_id)
    return found or reverse("notifications:inbox")


def absolute(url: str) -> str:
    """A link for e-mail; relative when LIUYAN_SITE_URL is not set."""
    base = settings.LIUYAN_SITE_URL.rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url
