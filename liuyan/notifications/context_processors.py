from django.utils.functional import SimpleLazyObject

from . import selectors


def unread_notifications(request):
    """`unread_notification_count` for the header: counted only if a template shows it."""
    user = getattr(request, "user", None)
    return {"unread_notification_count": SimpleLazyObject(lambda: selectors.unread_count(user))}
