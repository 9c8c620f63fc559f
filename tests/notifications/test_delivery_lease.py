"""Delivery leases: a claim holds a delivery for a while, the sweep takes back abandoned ones."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from liuyan.notifications import services
from liuyan.notifications.models import Delivery, Notification


@pytest.fixture
def lease(settings):
    settings.LIUYAN_DELIVERY_LEASE_SECONDS = 60
    settings.LIUYAN_DELIVERY_MAX_ATTEMPTS = 3
    return timedelta(seconds=60)


def _delivery(world, *, created_ago=timedelta(0), **fields) -> Delivery:
    world.handler.email = "handler@example.org"
    world.handler.save()
    notification = Notification.objects.create(
        recipient=world.handler,
        kind=Notification.Kind.ASSIGNMENT,
        title="新交办",
        created_at=timezone.now() - created_ago,
    )
    return Delivery.objects.create(notification=notification, channel="email", **fields)


def _sending(world, *, lease_left: timedelta, attempts: int = 1) -> Delivery:
    now = timezone.now()
    return _delivery(
        world,
        status="sending",
        attempts=attempts,
        claimed_at=now - timedelta(minutes=10),
        lease_until=now + lease_left,
    )


def test_a_live_lease_is_left_alone(world, lease):
    delivery = _sending(world, lease_left=timedelta(seconds=30))
    assert services.retry_failed_deliveries() == {"sent": 0, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)
    assert mail.outbox == []


def test_an_abandoned_claim_is_sent_again_once(world, lease):
    delivery = _sending(world, lease_left=-timedelta(seconds=1))
    assert services.retry_failed_deliveries() == {"sent": 1, "failed": 0}
    assert services.retry_failed_deliveries() == {"sent": 0, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == ("sent", 2, None)
    assert len(mail.outbox) == 1


def test_a_claim_from_before_leases_counts_as_abandoned(world, lease):
    delivery = _delivery(world, status="sending", attempts=1)  # no lease_until at all
    assert services.retry_failed_deliveries()["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_the_last_attempt_abandoned_fails_for_good(world, lease, caplog):
    delivery = _sending(world, lease_left=-timedelta(seconds=1), attempts=3)
    assert services.retry_failed_deliveries() == {"sent": 0, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert "lease expired" in delivery.error
    assert "failed for good" in caplog.text
    assert services.retry_failed_deliveries() == {"sent": 0, "failed": 0}
    assert mail.outbox == []


def test_a_delivery_pending_for_a_whole_lease_is_swept(world, lease):
    stale = _delivery(world, created_ago=timedelta(minutes=2))
    assert services.retry_failed_deliveries()["sent"] == 1
    stale.refresh_from_db()
    assert (stale.status, stale.attempts) == ("sent", 1)


def test_a_fresh_pending_delivery_is_left_to_its_task(world, lease):
    fresh = _delivery(world)
    assert services.retry_failed_deliveries()["sent"] == 0
    fresh.refresh_from_db()
    assert fresh.status == "pending"


def test_a_worker_that_outlived_its_lease_does_not_overwrite_the_new_claim(world, lease):
    delivery = _delivery(world)
    slow_attempt = services._claim(delivery, timezone.now() - timedelta(minutes=5))
    assert slow_attempt == 1
    delivery.refresh_from_db()
    assert services._claim(delivery, timezone.now()) == 2  # the sweep took it back

    assert not services._record_outcome(delivery, slow_attempt, status="failed", error="late")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sending", 2, "")


def test_a_stale_read_cannot_claim(world, lease):
    delivery = _delivery(world)
    assert services._claim(delivery, timezone.now()) == 1
    assert services._claim(delivery, timezone.now()) is None  # still says attempts=0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_workers_claim_a_delivery_exactly_once(world, lease):
    delivery = _delivery(world, status="sending", attempts=1, lease_until=timezone.now())
    racers = 8
    start = threading.Barrier(racers)
    wins: list[int | None] = []

    def race() -> None:
        try:
            start.wait()
            wins.append(services._claim(delivery, timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins, key=str) == [2] + [None] * (racers - 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 2)


def test_a_lease_shorter_than_the_smtp_timeout_is_warned_about(settings):
    from liuyan.notifications.checks import check_delivery_lease

    settings.EMAIL_TIMEOUT, settings.LIUYAN_DELIVERY_LEASE_SECONDS = 60, 300
    assert check_delivery_lease() == []
    settings.LIUYAN_DELIVERY_LEASE_SECONDS = 30
    assert [w.id for w in check_delivery_lease()] == ["notifications.W001"]
