"""From the message timeline to the background worker.

`board.services._record()` calls `on_event(event.pk)` once the step's transaction has
committed; the work itself (finding recipients, writing notifications, sending e-mail and texts)
runs in the `notify_event` task, so a citizen's or clerk's click never waits for a mail server.
"""

from __future__ import annotations

import logging

from django_tasks import task

from liuyan.board.models import Event

from . import services

logger = logging.getLogger(__name__)


@task()
def notify_event(event_id: int) -> int:
    """Create and send the notifications for one timeline event (idempotent)."""
    return services.notify_for_event(event_id)


def on_event(event_id: int) -> None:
    """Queue the notifications for an event, if its kind of step tells anyone anything."""
    try:
        action = Event.objects.filter(pk=event_id).values_list("action", flat=True).first()
        if action in services.NOTIFYING_ACTIONS:
            notify_event.enqueue(event_id)
    except Exception:
        # The step itself has committed: a broken queue must not turn it into an error page.
        # The event stays in the timeline; the log says which notifications went missing.
        logger.exception("Could not queue notifications for event %s", event_id)
