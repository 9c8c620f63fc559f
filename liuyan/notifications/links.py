"""Where a notification leads: the citizen's page of the message, or the staff desk's."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .models import Notification

# The pages the portal and the desk provide for one message, by URL name.
CITIZEN_MESSAGE_URL = "portal:message"
STAFF_MESSAGE_URL = "desk:message"
STAFF_KINDS = frozenset(
    {
        Notification.Kind.ASSIGNMENT,
        Notification.Kind.ATTENTION,
        Notification.Kind.DUE_SOON,
        Notification.Kind.OVERDUE,
    }
)


def message_url(message_id: int, *, staff: bool) -> str:
    """The page of the message, or '' while the app that shows it has no such page."""
    name = STAFF_MESSAGE_URL if staff else CITIZEN_MESSAGE_URL
    try:
        return reverse(name, args=[message_id])
    except NoReverseMatch:
        return ""


def target_url(notification: Notification) -> str:
    if notification.url:
        return notification.url
    if notification.message_id:
        found = message_url(notification.message_id, staff=notification.kind in STAFF_KINDS)
        if found:
            return found
    return reverse("notifications:inbox")


def absolute(url: str) -> str:
    """A link for e-mail; relative when LIUYAN_SITE_URL is not set."""
    base = settings.LIUYAN_SITE_URL.rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url
