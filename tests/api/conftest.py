"""API fixtures: keys of every kind, and messages in the states an API caller meets."""

from __future__ import annotations

import pytest

BODY = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。我的电话13912345678。"
PRIVATE_BODY = "我家漏水严重，楼上住户不配合维修，请帮忙协调。身份证号430102199001011234。"
PHONE = "13912345678"
ID_NUMBER = "430102199001011234"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


def make_key(*scopes, user=None, name="test app"):
    from liuyan.api.keys import create_key

    return create_key(name=name, scopes=list(scopes), user=user)[1]


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def submit(w, *, author=None, body=BODY, is_public=True, title="小区路灯长期不亮", **extra):
    from liuyan.board import services

    return services.submit_message(
        author=author or w.citizen,
        board=w.board,
        type="complaint",
        title=title,
        body=body,
        is_public=is_public,
        **extra,
    )


def dispatched(w, message=None, unit=None):
    from liuyan.board import services

    message = message or submit(w)
    services.dispatch_message(message_id=message.pk, actor=w.moderator, lead_unit=unit or w.bureau)
    message.refresh_from_db()
    return message


def lead(message):
    return message.assignments.filter(kind="lead").order_by("-id").first()


@pytest.fixture
def public_message(world):
    return dispatched(world)


@pytest.fixture
def private_message(world):
    return dispatched(
        world, submit(world, body=PRIVATE_BODY, is_public=False, title="家中漏水请协调")
    )
