"""From the message timeline to the background worker.

`board.services._record()` calls `queue_for_event(event)` inside the step's transaction; the work
itself (finding recipients, writing notifications, sending e-mail and texts) runs in the
`notify_event` task, so a citizen's or clerk's click never waits for a mail server.

With the database task backend (production) the task row is written in the step's own
transaction: it commits with the state change and the event, or not at all (a transactional
outbox). A worker cannot see it before the commit, and no crash or failing write between the
commit and the queueing can lose it. Other backends (the immediate one runs the task on the spot)
are only called once the step has committed, so nothing is sent for a step that rolls back.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django_tasks import task
from django_tasks_db import DatabaseBackend

from liuyan.board.models import Event

from . import services

logger = logging.getLogger(__name__)


@task()
def notify_event(event_id: int) -> int:
    """Create and send the notifications for one timeline event (idempotent)."""
    return services.notify_for_event(event_id)


def _queue_is_the_database() -> bool:
    try:
        return isinstance(notify_event.get_backend(), DatabaseBackend)
    except Exception:  # a misconfigured backend: on_event() logs it after the commit
        return False


def queue_for_event(event: Event) -> None:
    """Queue the notifications for an event of a step that is under way (see the module doc)."""
    if event.action not in services.NOTIFYING_ACTIONS:
        return
    if _queue_is_the_database():
        # Part of the step: a failure here fails the step, which then leaves nothing behind.
        notify_event.enqueue(event.pk)
    else:
        transaction.on_commit(partial(on_event, event.pk))


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
