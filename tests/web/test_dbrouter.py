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


def _public_get(path: str = "/search/", **cookies):
    from django.test import RequestFactory
    from django.urls import resolve

    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    request.resolver_match = resolve(path)
    return request


def test_a_replica_failing_mid_page_is_marked_down_and_the_page_answered_from_the_primary(
    one_healthy_replica, monkeypatch
):
    from django.db import OperationalError
    from django.http import HttpResponse

    marked = []
    monkeypatch.setattr(dbrouter.health, "mark_down", marked.append)
    router = dbrouter.ReplicaRouter()

    def view(request):
        if router.db_for_read(Message) == "replica1":
            raise OperationalError("the replica went away")
        return HttpResponse("from the primary")

    middleware = dbrouter.ReplicaReadMiddleware(lambda request: HttpResponse())
    response = middleware.process_view(_public_get(), view, (), {})
    assert response.content == b"from the primary"
    assert marked == ["replica1"]


def test_a_browser_that_wrote_reads_from_the_primary(one_healthy_replica):
    from django.http import HttpResponse
    from django.test import RequestFactory

    middleware = dbrouter.ReplicaReadMiddleware(lambda request: HttpResponse())
    assert middleware._may_use_replica(_public_get())
    assert not middleware._may_use_replica(_public_get("/my/messages/"))
    response = middleware(RequestFactory().post("/write/"))
    wrote_until = response.cookies[dbrouter.WROTE_COOKIE].value
    assert int(wrote_until) > time.time() + settings.LIUYAN_REPLICA_STICKY_SECONDS - 5
    assert not middleware._may_use_replica(_public_get(**{dbrouter.WROTE_COOKIE: wrote_until}))
    expired = str(int(time.time()) - 1)
    assert middleware._may_use_replica(_public_get(**{dbrouter.WROTE_COOKIE: expired}))
