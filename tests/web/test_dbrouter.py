"""The replica router's rules, without servers (tests/web/test_replicas.py runs real ones)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction

from liuyan.accounts.models import User
from liuyan.board.models import Message
from liuyan.web import dbrouter


def test_no_replicas_configured_means_no_router_and_no_aliases():
    assert dbrouter.replica_aliases() == []
    assert "liuyan.web.dbrouter.ReplicaRouter" not in settings.DATABASE_ROUTERS
    assert "liuyan.web.dbrouter.ReplicaReadMiddleware" not in settings.MIDDLEWARE


@pytest.fixture
def one_healthy_replica(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(dbrouter.health, "healthy", lambda alias: True)


@pytest.mark.django_db(transaction=True)
def test_safe_reads_go_to_a_replica_only_inside_a_replica_request(one_healthy_replica):
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(Message) is None
    with dbrouter.replica_reads():
        assert router.db_for_read(Message) == "replica1"
        # Users and sessions stay on the primary: a session made a moment ago must be found.
        assert router.db_for_read(User) is None
        with transaction.atomic():
            assert router.db_for_read(Message) is None
    assert router.db_for_read(Message) is None


def test_writes_and_migrations_go_to_the_primary(one_healthy_replica):
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_write(Message) == "default"
    assert router.allow_migrate("default", "board")
    assert not router.allow_migrate("replica1", "board")


def test_unhealthy_replica_is_skipped(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(dbrouter.health, "healthy", lambda alias: False)
    with dbrouter.replica_reads():
        assert dbrouter.ReplicaRouter().db_for_read(Message) is None


def test_unreachable_replica_is_unhealthy_and_asked_at_most_once_per_interval(monkeypatch):
    # Nothing listens on 8799 (this helper's own range): the check fails fast, without raising.
    monkeypatch.setitem(
        settings.DATABASES,
        "replica9",
        {"HOST": "127.0.0.1", "PORT": 8799, "NAME": "liuyan", "USER": "postgres"},
    )
    monkeypatch.setattr(settings, "LIUYAN_REPLICA_CHECK_SECONDS", 60)
    monkeypatch.setattr(settings, "LIUYAN_REPLICA_CONNECT_TIMEOUT", 1)
    health = dbrouter.ReplicaHealth()
    started = time.monotonic()
    assert health.healthy("replica9") is False
    assert time.monotonic() - started < 5
    asked = []
    monkeypatch.setattr(health, "_measure", lambda alias: asked.append(alias) or True)
    assert health.healthy("replica9") is False  # cached
    assert asked == []
