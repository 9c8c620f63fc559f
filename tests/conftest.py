"""Fixtures shared by every test folder: a small directory with one person in every role."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("LIUYAN_DEBUG", "1")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from liuyan.board import similarity

    # Each test's messages are its own: the similarity index is built from them in the test's
    # thread (a background thread would not see the test's transaction), never from a stored
    # file a development run left in var/models. tests/board/test_similarity.py tests both.
    similarity.REFRESH_IN_BACKGROUND = False
    similarity.USE_SNAPSHOT = False


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    skip_data = pytest.mark.skip(reason=f"needs the shared data set at {SHARED_DATA}")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "shared_data" in item.keywords and not SHARED_DATA.is_dir():
            item.add_marker(skip_data)


# A Monday morning in Shanghai, outside any holiday: 2026-03-02 09:00 +08:00.
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class World:
    province: object
    city: object
    county: object
    other_city: object
    board: object
    other_board: object
    bureau: object  # a city unit ...
    district_office: object  # ... and its sub-unit
    other_unit: object  # a unit in another city
    signoff_unit: object  # a unit whose replies need the head's sign-off
    citizen: object
    other_citizen: object
    moderator: object
    city_moderator: object  # covers only `other_city`
    handler: object  # handler in bureau
    head: object  # head of bureau
    sub_handler: object  # handler in district_office
    other_handler: object  # handler in other_unit
    signoff_handler: object
    signoff_head: object
    leader: object  # leader of `board`
    other_leader: object  # leader of `other_board`
    operator: object
    admin: object


def _user(username: str, **extra):
    from liuyan.accounts.models import User

    return User.objects.create_user(username=username, password="pw-" + username, **extra)


def _member(user, role: str, **where):
    from liuyan.directory.models import Membership

    Membership.objects.create(user=user, role=role, **where)
    return user


@pytest.fixture
def world(db) -> World:
    from liuyan.directory.models import Board, Region, Unit

    province = Region.objects.create(code="430000", name="湖南省", level=1)
    city = Region.objects.create(code="430100", name="长沙市", level=2, parent=province)
    county = Region.objects.create(code="430121", name="长沙县", level=3, parent=city)
    other_city = Region.objects.create(code="430200", name="株洲市", level=2, parent=province)

    bureau = Unit.objects.create(name="长沙市住房和城乡建设局", region=city)
    district_office = Unit.objects.create(
        name="长沙县住房和城乡建设局", region=county, parent=bureau
    )
    other_unit = Unit.objects.create(name="株洲市生态环境局", region=other_city)
    signoff_unit = Unit.objects.create(name="长沙市教育局", region=city, needs_head_signoff=True)
    board = Board.objects.create(
        name="长沙市市长", kind="leader", region=city, post="市长", default_unit=bureau
    )
    other_board = Board.objects.create(
        name="株洲市市委书记", kind="leader", region=other_city, post="市委书记"
    )

    w = World(
        province=province,
        city=city,
        county=county,
        other_city=other_city,
        board=board,
        other_board=other_board,
        bureau=bureau,
        district_office=district_office,
        other_unit=other_unit,
        signoff_unit=signoff_unit,
        citizen=_user("citizen", phone="13800000001", nickname="居民甲"),
        other_citizen=_user("citizen2", phone="13800000002"),
        moderator=_member(_user("moderator"), "moderator"),
        city_moderator=_member(_user("zz-moderator"), "moderator", region=other_city),
        handler=_member(_user("handler"), "handler", unit=bureau),
        head=_member(_user("head"), "head", unit=bureau),
        sub_handler=_member(_user("sub-handler"), "handler", unit=district_office),
        other_handler=_member(_user("other-handler"), "handler", unit=other_unit),
        signoff_handler=_member(_user("edu-handler"), "handler", unit=signoff_unit),
        signoff_head=_member(_user("edu-head"), "head", unit=signoff_unit),
        leader=_member(_user("leader"), "leader", board=board),
        other_leader=_member(_user("zz-leader"), "leader", board=other_board),
        operator=_member(_user("operator"), "operator"),
        admin=_member(_user("platform-admin"), "admin"),
    )
    return w


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached answers (the dashboards' rising topics, per set of regions and day) outlive a
    test's database transaction, and ids repeat from one test to the next: start empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def force_login_counts_as_two_factors(monkeypatch):
    """`client.force_login` stands for a finished sign-in: with both factors, as the staff
    sign-in makes it. A session without a recorded sign-in method counts as one factor, and
    the second-factor rule would end it for every staff member (tests of that rule overwrite
    the level)."""
    from django.test import Client

    from liuyan.accounts.sessions import AUTH_LEVEL, BY_TWO_FACTORS

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[AUTH_LEVEL] = BY_TWO_FACTORS
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
