"""Retention: `liuyan tick` prunes notifications, sign-in records and drafts after the periods
in the settings; the audit trail is kept at least six months."""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from liuyan.accounts.models import AuditEntry, KnownAddress
from liuyan.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def tick() -> str:
    out = StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def notification(user, *, days_ago: int) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind="progress",
        title="进展",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def audit_entry(*, days_ago: int) -> AuditEntry:
    return AuditEntry.objects.create(action="test", at=timezone.now() - timedelta(days=days_ago))


def test_tick_prunes_notifications_older_than_the_retention(world, settings):
    settings.LIUYAN_RETENTION_NOTIFICATION_DAYS = 90
    old = notification(world.citizen, days_ago=91)
    Delivery.objects.create(notification=old, channel="sms", status="sent")
    recent = notification(world.citizen, days_ago=89)

    tick()

    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Delivery.objects.exists()


def test_a_notification_still_being_delivered_is_kept(world, settings):
    settings.LIUYAN_RETENTION_NOTIFICATION_DAYS = 90
    waiting = notification(world.citizen, days_ago=200)
    # A live worker holds the delivery (its lease runs), so the same tick cannot send it first.
    Delivery.objects.create(
        notification=waiting,
        channel="sms",
        status="sending",
        attempts=1,
        claimed_at=timezone.now(),
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    tick()
    assert Notification.objects.filter(pk=waiting.pk).exists()


def test_an_old_notification_is_pruned_only_after_its_late_delivery_went_out(
    world, settings, caplog
):
    settings.LIUYAN_RETENTION_NOTIFICATION_DAYS = 90
    late = notification(world.citizen, days_ago=200)
    Delivery.objects.create(notification=late, channel="sms", status="pending")
    with caplog.at_level("INFO", logger="liuyan.accounts.sms"):
        tick()  # sends the pending delivery first (its task died long ago), then prunes
    assert [r.getMessage() for r in caplog.records if r.name == "liuyan.accounts.sms"]
    assert not Notification.objects.filter(pk=late.pk).exists()


def test_tick_prunes_known_sign_in_addresses_after_the_retention(settings):
    settings.LIUYAN_RETENTION_SIGN_IN_DAYS = 30
    now = timezone.now()
    for ip, days in (("10.0.0.1", 31), ("10.0.0.2", 29)):
        KnownAddress.objects.create(
            scope="staff",
            key_hash=ip,
            ip_address=ip,
            first_seen=now - timedelta(days=100),
            last_seen=now - timedelta(days=days),
        )
    tick()
    assert list(KnownAddress.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]


def test_tick_discards_drafts_after_the_retention(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LIUYAN_RETENTION_DRAFT_DAYS = 3
    paths = {}
    for name, days in (("old.jpg", 4), ("young.jpg", 2)):
        paths[name] = default_storage.save(f"drafts/token/{name}", ContentFile(b"x"))
        stamp = (timezone.now() - timedelta(days=days)).timestamp()
        os.utime(default_storage.path(paths[name]), (stamp, stamp))
    tick()
    assert not default_storage.exists(paths["old.jpg"])
    assert default_storage.exists(paths["young.jpg"])


def test_tick_prunes_the_audit_trail_only_after_its_retention(settings):
    settings.LIUYAN_RETENTION_AUDIT_DAYS = 200
    old, kept = audit_entry(days_ago=201), audit_entry(days_ago=199)
    tick()
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert kept.pk in remaining and old.pk not in remaining


def test_the_audit_trail_is_kept_six_months_whatever_the_setting(settings):
    settings.LIUYAN_RETENTION_AUDIT_DAYS = 30
    five_months = audit_entry(days_ago=150)
    tick()
    assert AuditEntry.objects.filter(pk=five_months.pk).exists()


def test_an_audit_retention_below_six_months_stops_start_up(settings):
    settings.LIUYAN_RETENTION_AUDIT_DAYS = 90
    errors = [message.id for message in checks.run_checks() if message.is_serious()]
    assert "accounts.E001" in errors


def test_the_default_retention_passes_the_check():
    errors = [message.id for message in checks.run_checks() if message.is_serious()]
    assert "accounts.E001" not in errors
