"""From the message timeline to the background worker.

Every board step sends `board.signals.event_recorded` inside its transaction; `on_event_recorded`
(connected in `NotificationsConfig.ready()`) hands the event to `queue_for_event`. The work
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
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

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


def on_event_recorded(sender, *, event: Event, **kwargs) -> None:
    """The receiver of `board.signals.event_recorded`."""
    queue_for_event(event)


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


# Failed notification tasks are looked at again for this long after their last failure.
RETRY_WINDOW = timedelta(days=1)


def _stalled_notification_tasks(now: datetime):
    """Tasks whose worker died (still running a whole lease after they started) or that failed
    (say, a database error half-way)."""
    lease = timedelta(seconds=settings.LIUYAN_DELIVERY_LEASE_SECONDS)
    return DBTaskResult.objects.filter(task_path=notify_event.module_path).filter(
        Q(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
        | Q(status=TaskResultStatus.FAILED, finished_at__gte=now - RETRY_WINDOW)
    )


def requeue_stalled_notifications(now: datetime | None = None) -> int:
    """For `liuyan tick`: put stalled notification tasks back in the queue, so a worker killed
    before it stored an event's notifications loses none of them. `notify_for_event` is
    idempotent, so a second run sends nothing twice. The worker records one id per run; after
    LIUYAN_DELIVERY_MAX_ATTEMPTS runs the task stays failed. Returns how many were requeued."""
    now = now or timezone.now()
    requeued = 0
    for row in _stalled_notification_tasks(now).only("id", "status", "started_at", "worker_ids"):
        # Conditional on what we read: a worker that claims the row meanwhile wins.
        same = DBTaskResult.objects.filter(pk=row.pk, status=row.status, started_at=row.started_at)
        if len(row.worker_ids) < settings.LIUYAN_DELIVERY_MAX_ATTEMPTS:
            requeued += same.update(status=TaskResultStatus.READY, finished_at=None)
        elif row.status == TaskResultStatus.RUNNING:
            same.update(status=TaskResultStatus.FAILED, finished_at=now)
            logger.error(
                "Notification task %s gave up: its workers died %s times",
                row.pk,
                len(row.worker_ids),
            )
    return requeued
