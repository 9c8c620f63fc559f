"""The load-test world grows with the number of messages (liuyan.demo.national), and the
hand-written demo world stays as it is for small loads."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from liuyan.board.models import Assignment, Message
from liuyan.demo import national, world
from liuyan.demo.generate import generate_messages
from liuyan.directory.models import Board, Membership, Region, Unit

pytestmark = pytest.mark.django_db

GROWN = 100_000  # 200 units, 10,000 citizens


@pytest.fixture
def reference():
    world.ensure_reference_data()


def test_a_small_load_keeps_the_hand_written_world(reference):
    world.ensure_world(seed=3)
    before = national.census()
    # Citizens grow from 3,000 messages on (one per ten), units from 32,500 (one per 500).
    grown = world.ensure_world(seed=3, messages=3_000)
    assert (grown.units, grown.boards, grown.citizens) == (0, 0, 0)
    assert national.census() == before
    grown = world.ensure_world(seed=3, messages=30_000)
    assert (grown.units, grown.boards, grown.citizens) == (0, 0, 3_000 - world.CITIZENS)
    assert before.provinces == len(world.PROVINCES)
    assert before.citizens == world.CITIZENS
    assert not world.load_world().skewed


def test_the_world_grows_with_the_messages(reference):
    world.ensure_world(seed=3)
    demo_units = Unit.objects.count()
    world.ensure_world(seed=3, messages=GROWN)
    census = national.census()
    assert GROWN // 500 <= census.units <= GROWN // 500 + 10
    assert census.citizens == GROWN // 10
    # Every province of the platform before any second region of one: all 31 are covered.
    platform = Region.objects.filter(level=Region.Level.PROVINCE).exclude(
        code__regex=r"^(71|81|82)"
    )
    assert census.provinces == platform.count() == 31
    loaded = world.load_world()
    assert loaded.skewed
    assert len(loaded.units) == census.units  # every unit staffed: handlers and a head
    assert all(board.leaders for board in loaded.boards if board.kind == Board.Kind.LEADER)
    assert len(loaded.boards) == census.boards > 64
    # The demo's named accounts are untouched.
    assert Membership.objects.filter(user__username="demo-handler").exists()
    # Citizens are read back without decrypting, and match what is stored (encrypted).
    stored = {
        user.pk: (user.phone, user.real_name)
        for user in get_user_model().objects.filter(
            pk__in=[c.id for c in loaded.citizens[:: len(loaded.citizens) // 50]]
        )
    }
    for citizen in loaded.citizens[:: len(loaded.citizens) // 50]:
        assert stored[citizen.id] == (citizen.phone, citizen.real_name)
    assert all(phone for phone, _name in stored.values())
    # Again: nothing to add. Bigger: the same world and more.
    assert world.ensure_world(seed=3, messages=GROWN).units == 0
    grown = world.ensure_world(seed=3, messages=GROWN + 50_000)
    assert 90 <= grown.units < 110
    assert Unit.objects.count() == census.units + grown.units > demo_units


def test_letters_are_skewed_over_the_units(reference):
    world.ensure_world(seed=3, messages=GROWN)
    generate_messages(1500, seed=3, processes=1)
    per_unit = Counter(
        unit
        for unit, _message in Assignment.objects.values_list("unit_id", "message_id").distinct()
    )
    counts = sorted(per_unit.values())
    assert len(counts) > 80  # spread over the country, not a handful of units
    assert max(counts) >= 5 * statistics.median(counts)
    # A few citizens write again and again, most once.
    authors = Counter(
        Message.objects.exclude(author=None).values_list("author_id", flat=True)
    ).values()
    assert statistics.median(authors) == 1
    assert max(authors) >= 5
