"""The worker's side of a step: whichever write of the notification task fails, the next sweep
(what `liuyan tick` runs) and the worker bring every notification into being once and send every
e-mail and text once.

For k = 1, 2, … the k-th write of the `notify_event` task fails inside the database while the
real `db_worker` command runs it (the queue's own bookkeeping is left alone: that is the task
library's). Then the sweep runs: failed or stalled notification tasks go back in the queue,
deliveries left pending, failed or "sending" past their lease are sent again. The one case that
may send twice is a failure to record an e-mail that did go out: nothing can tell that apart
from a crash just before sending, so delivery is at least once, and the test says so.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liuyan.board.models import Event
from liuyan.notifications.dispatch import requeue_stalled_notifications
from liuyan.notifications.models import Delivery, Notification
from liuyan.notifications.services import retry_failed_deliveries

from . import steps

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
QUEUE_TABLE = DBTaskResult._meta.db_table
FAILING_SQL = "SELECT * FROM liuyan_fault_injected_here"


class FailAtTaskWrite:
    def __init__(self, k: int):
        self.k, self.seen = k, 0
        self.failed_sql: str | None = None
        self.failed_params = None

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql) and QUEUE_TABLE not in sql:
            self.seen += 1
            if self.seen == self.k:
                self.failed_sql, self.failed_params = sql, params
                return execute(FAILING_SQL, None, False, context)
        return execute(sql, params, many, context)

    @property
    def lost_record_of_a_send(self) -> bool:
        """The write that failed recorded a delivery as sent: the e-mail or text went out."""
        return (
            self.failed_sql is not None
            and "notifications_delivery" in self.failed_sql
            and "sent" in [str(p) for p in (self.failed_params or ())]
        )


def _texts_sent(outbox) -> int:
    return len(outbox.read_text("utf-8").splitlines()) if outbox.exists() else 0


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def _sweep() -> None:
    requeue_stalled_notifications()
    retry_failed_deliveries()
    _run_worker()


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_in_the_notification_task_loses_and_doubles_nothing(
    world, settings, sms_outbox
):
    settings.LIUYAN_DELIVERY_LEASE_SECONDS = 0  # every claim is over at once: sweep at will
    world.handler.email = "handler@example.org"
    world.handler.save()

    for k in range(1, 50):
        message = steps.dispatched(world)  # a fresh event, its task queued
        event = Event.objects.get(message=message, action="dispatch")
        mail.outbox.clear()
        texts_before = _texts_sent(sms_outbox)

        fault = FailAtTaskWrite(k)
        with connection.execute_wrapper(fault):
            _run_worker()
        if fault.failed_sql is None:
            break  # the task has fewer than k writes: that was the real run
        for _ in range(2):
            _sweep()

        where = f"write {k} ({fault.failed_sql.split('(')[0][:60]})"
        recipients = Notification.objects.filter(event=event).values_list(
            "recipient__username", flat=True
        )
        assert sorted(recipients) == ["citizen", "handler"], where
        statuses = Delivery.objects.filter(notification__event=event).values_list(
            "channel", "status"
        )
        assert sorted(statuses) == [("email", "sent"), ("sms", "sent")], where
        texts = _texts_sent(sms_outbox) - texts_before
        sent = len(mail.outbox) + texts
        assert sent == (3 if fault.lost_record_of_a_send else 2), where
    assert k > 4, "expected notifications, deliveries and their claims among the task's writes"


def test_a_task_failed_for_good_is_not_queued_again(world, settings):
    settings.LIUYAN_DELIVERY_MAX_ATTEMPTS = 2
    steps.dispatched(world)
    DBTaskResult.objects.update(status="FAILED", worker_ids=["a", "b"], finished_at=timezone.now())
    assert requeue_stalled_notifications() == 0
    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_task_whose_worker_died_is_queued_again_after_the_lease(world, settings):
    settings.LIUYAN_DELIVERY_LEASE_SECONDS = 300
    steps.dispatched(world)
    started = timezone.now() - timedelta(seconds=200)
    DBTaskResult.objects.update(status="RUNNING", worker_ids=["dead"], started_at=started)
    assert requeue_stalled_notifications() == 0  # it may still be running
    assert requeue_stalled_notifications(now=started + timedelta(seconds=301)) == 1
    assert DBTaskResult.objects.get().status == "READY"
