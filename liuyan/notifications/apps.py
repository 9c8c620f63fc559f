from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "liuyan.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from liuyan.board.models import Event
        from liuyan.board.signals import event_recorded
        from liuyan.campaigns.signals import decision_recorded, threshold_reached
        from liuyan.reports.signals import digest_published

        from . import campaigns, checks, digests, dispatch  # noqa: F401  (importing checks registers them)

        # board announces each step's Event; notifications decides what to send (board imports
        # nothing of notifications).
        event_recorded.connect(
            dispatch.on_event_recorded, sender=Event, dispatch_uid="notifications.queue_for_event"
        )
        # reports announces a published digest issue; notifications tells the region's leaders.
        digest_published.connect(digests.on_digest_published, dispatch_uid="notifications.digest")
        # campaigns announces a unit's decision on a suggestion; the proposer and supporters hear.
        decision_recorded.connect(
            campaigns.on_decision_recorded, dispatch_uid="notifications.campaign_decision"
        )
        threshold_reached.connect(
            campaigns.on_threshold_reached, dispatch_uid="notifications.campaign_threshold"
        )
