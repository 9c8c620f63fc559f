from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "liuyan.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from liuyan.board.models import Event
        from liuyan.board.signals import event_recorded

        from . import checks, dispatch  # noqa: F401  (importing checks registers them)

        # board announces each step's Event; notifications decides what to send (board imports
        # nothing of notifications).
        event_recorded.connect(
            dispatch.on_event_recorded, sender=Event, dispatch_uid="notifications.queue_for_event"
        )
