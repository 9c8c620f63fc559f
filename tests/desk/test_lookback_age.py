"""The 回头看 queue shows each item's age and lists last year's leftovers apart."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board.models import Message

pytestmark = pytest.mark.django_db


def test_lookback_shows_age_and_keeps_stale_items_apart(client, world, objects):
    recent = objects.lookback
    Message.objects.filter(pk=recent.pk).update(replied_at=timezone.now() - timedelta(days=3))
    old = Message.objects.get(pk=recent.pk)
    old.pk = None  # a second look-back, replied in 2025
    old.serial = "20250301000009"
    old.replied_at = timezone.now() - timedelta(days=400)
    old.save()

    client.force_login(world.moderator)
    page = client.get(reverse("desk:lookback")).content.decode()
    assert recent.serial in page
    assert "3 天前" in page
    assert old.serial not in page
    assert "更早的回头看（1）" in page

    stale = client.get(reverse("desk:lookback") + "?stale=1").content.decode()
    assert old.serial in stale and recent.serial not in stale
    assert "400 天前" in stale
