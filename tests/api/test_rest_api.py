"""The REST API at /api/v1/: public reads, filing once per Idempotency-Key, scoped keys for the
unit workflow and moderation, problem details, rate limits, the key command, the docs."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from .conftest import ID_NUMBER, PHONE, bearer, dispatched, lead, make_key, submit

pytestmark = pytest.mark.django_db

FILING = {
    "type": "complaint",
    "title": "公交站台顶棚破损",
    "body": (
        "五一路公交站台的顶棚破了一个大洞，下雨天候车的人都被淋湿，请尽快修补。联系我13700001111。"
    ),
    "contact_phone": "13700001111",
}


def test_public_list_shows_public_messages_masked_and_never_private_ones(
    client, world, public_message, private_message
):
    answer = client.get("/api/v1/messages/")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [row["serial"] for row in rows] == [public_message.serial]
    text = answer.content.decode()
    assert PHONE not in text and ID_NUMBER not in text and "139****5678" in text
    assert client.get(f"/api/v1/messages/{private_message.serial}/").status_code == 404
    assert client.get(f"/api/v1/messages/{private_message.serial}/timeline/").status_code == 404


def test_unscreened_message_is_not_public(client, world):
    message = submit(world)
    assert client.get("/api/v1/messages/").json()["results"] == []
    assert client.get(f"/api/v1/messages/{message.serial}/").status_code == 404


def test_author_key_with_read_scope_sees_own_private_message(client, world, private_message):
    secret = make_key("read", user=world.citizen)
    answer = client.get(f"/api/v1/messages/{private_message.serial}/", **bearer(secret))
    assert answer.status_code == 200
    assert ID_NUMBER not in answer.content.decode()  # the masked text, even for the author
    # Without the read scope a per-user key reads only what the public may.
    other = make_key("submit", user=world.citizen)
    assert (
        client.get(f"/api/v1/messages/{private_message.serial}/", **bearer(other)).status_code
        == 404
    )


def test_filters_and_cursor_pages(client, world):
    for n in range(3):
        dispatched(world, submit(world, title=f"路灯不亮第{n}处问题"))
    first = client.get("/api/v1/messages/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    serials = [r["serial"] for r in first["results"] + second["results"]]
    assert len(serials) == len(set(serials)) == 3
    assert client.get(f"/api/v1/messages/?board={world.other_board.pk}").json()["results"] == []
    assert len(client.get("/api/v1/messages/?region=430000").json()["results"]) == 3
    assert client.get("/api/v1/messages/?status=answered").json()["results"] == []
    bad = client.get("/api/v1/messages/?board=abc")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert "board" in bad.json()["errors"]


def test_directory_and_figures(client, world, public_message):
    boards = client.get(f"/api/v1/boards/?region={world.city.code}").json()["results"]
    assert [b["name"] for b in boards] == [world.board.name]
    assert client.get("/api/v1/regions/?level=1").json()["results"][0]["code"] == "430000"
    assert client.get("/api/v1/units/").json()["results"]
    assert client.get("/api/v1/domains/").status_code == 200
    figures = client.get(f"/api/v1/figures/?board={world.board.pk}").json()
    assert figures["messages"] == 1 and figures["board"] == world.board.pk
    timeline = client.get(f"/api/v1/messages/{public_message.serial}/timeline/").json()
    assert [e["action"] for e in timeline] == ["submit", "dispatch"]


def test_filing_needs_a_key_with_the_submit_scope(client, world):
    data = {**FILING, "board": world.board.pk}
    anonymous = client.post("/api/v1/messages/", data, content_type="application/json")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    reader = make_key("read")
    assert (
        client.post(
            "/api/v1/messages/", data, content_type="application/json", **bearer(reader)
        ).status_code
        == 403
    )


def test_filing_with_idempotency_key_makes_one_message(client, world):
    from liuyan.board.models import Message

    secret = make_key("submit")
    data = {**FILING, "board": world.board.pk}
    headers = {**bearer(secret), "HTTP_IDEMPOTENCY_KEY": "order-42"}
    first = client.post("/api/v1/messages/", data, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/messages/", data, content_type="application/json", **headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["serial"] == first.json()["serial"]
    assert Message.objects.count() == 1
    message = Message.objects.get()
    assert message.channel == Message.Channel.API and message.author is None
    assert message.contact.phone == "13700001111"
    assert "13700001111" not in first.content.decode()
    changed = client.post(
        "/api/v1/messages/",
        {**data, "title": "另一个问题的标题"},
        content_type="application/json",
        **headers,
    )
    assert changed.status_code == 422 and Message.objects.count() == 1
    # Without the header every post is a new message.
    client.post("/api/v1/messages/", data, content_type="application/json", **bearer(secret))
    assert Message.objects.count() == 2


def test_invalid_filing_is_a_problem_in_chinese_and_english(client, world):
    secret = make_key("submit")
    data = {**FILING, "board": world.board.pk, "body": "太短"}
    zh = client.post("/api/v1/messages/", data, content_type="application/json", **bearer(secret))
    assert zh.status_code == 400 and zh["Content-Type"] == "application/problem+json"
    assert zh.json()["title"] == "请求无效" and "body" in zh.json()["errors"]
    en = client.post(
        "/api/v1/messages/",
        data,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
        **bearer(secret),
    )
    assert en.json()["title"] == "Invalid request"
    assert "characters" in en.json()["errors"]["body"][0]


def test_unknown_api_address_is_a_problem(client):
    answer = client.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 404 and answer.json()["title"] == "Not found"


def test_unit_workflow_through_a_per_user_key(client, world, public_message):
    assignment = lead(public_message)
    secret = make_key("handle", user=world.handler)
    listed = client.get("/api/v1/assignments/", **bearer(secret)).json()["results"]
    assert [a["id"] for a in listed] == [assignment.pk]
    accept = client.post(f"/api/v1/assignments/{assignment.pk}/accept/", **bearer(secret))
    assert accept.status_code == 200 and accept.json()["state"] == "accepted"
    again = client.post(f"/api/v1/assignments/{assignment.pk}/accept/", **bearer(secret))
    assert again.status_code in (403, 409)
    assert again["Content-Type"] == "application/problem+json"
    extension = client.post(
        f"/api/v1/assignments/{assignment.pk}/extension/",
        {"reason": "需要协调多个部门现场勘查", "days": 5},
        content_type="application/json",
        **bearer(secret),
    )
    assert extension.status_code == 200, extension.content
    reply = client.post(
        f"/api/v1/assignments/{assignment.pk}/reply/",
        {"body": "经核查，路灯线路老化，我局已安排维修队于本周内更换线路并恢复照明。"},
        content_type="application/json",
        **bearer(secret),
    )
    assert reply.status_code == 200, reply.content
    public_message.refresh_from_db()
    assert public_message.state == "reply_review"
    assert public_message.events.filter(action="accept").exists()


def test_other_units_handler_cannot_touch_the_assignment(client, world, public_message):
    assignment = lead(public_message)
    secret = make_key("handle", user=world.other_handler)
    answer = client.post(f"/api/v1/assignments/{assignment.pk}/accept/", **bearer(secret))
    assert answer.status_code == 404
    # The right user with a key lacking the scope is refused too.
    no_scope = make_key("read", user=world.handler)
    assert (
        client.post(f"/api/v1/assignments/{assignment.pk}/accept/", **bearer(no_scope)).status_code
        == 403
    )


def test_transfer_and_return(client, world):
    message = dispatched(world)
    secret = make_key("handle", user=world.head)
    assignment = lead(message)
    moved = client.post(
        f"/api/v1/assignments/{assignment.pk}/transfer/",
        {"to_unit": world.district_office.pk},
        content_type="application/json",
        **bearer(secret),
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "transferred"
    child = lead(message)
    sub = make_key("handle", user=world.sub_handler)
    back = client.post(
        f"/api/v1/assignments/{child.pk}/return/",
        {"reason": "不属于本单位职责范围"},
        content_type="application/json",
        **bearer(sub),
    )
    assert back.status_code == 200, back.content


def test_moderator_screens_and_dispatches(client, world):
    message = submit(world)
    secret = make_key("moderate", user=world.moderator)
    queue = client.get("/api/v1/moderation/queue/", **bearer(secret)).json()["results"]
    assert [m["serial"] for m in queue] == [message.serial]
    screened = client.post(
        f"/api/v1/messages/{message.serial}/screen/",
        {"public_title": "小区路灯长期不亮的问题"},
        content_type="application/json",
        **bearer(secret),
    )
    assert screened.status_code == 200, screened.content
    sent = client.post(
        f"/api/v1/messages/{message.serial}/dispatch/",
        {"lead_unit": world.bureau.pk},
        content_type="application/json",
        **bearer(secret),
    )
    assert sent.status_code == 200 and sent.json()["status"] == "dispatched"
    # A moderator of another city does not find it; a handler is no moderator.
    other = submit(world)
    elsewhere = make_key("moderate", user=world.city_moderator)
    assert (
        client.post(
            f"/api/v1/messages/{other.serial}/screen/",
            {},
            content_type="application/json",
            **bearer(elsewhere),
        ).status_code
        == 404
    )
    handler = make_key("moderate", user=world.handler)
    assert client.get("/api/v1/moderation/queue/", **bearer(handler)).status_code == 403


def test_revoked_and_unknown_keys_are_refused(client, world):
    from liuyan.api.keys import key_for, revoke_key

    secret = make_key("submit")
    revoke_key(key_for(secret))
    answer = client.get("/api/v1/messages/", **bearer(secret))
    assert answer.status_code == 401 and answer["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/messages/", **bearer("ly_nothing_here")).status_code == 401


def test_rate_limit_per_address_and_per_key(client, world, settings):
    settings.LIUYAN_API_RATE_PER_ADDRESS = 3
    settings.LIUYAN_API_RATE_PER_KEY = 5
    codes = [client.get("/api/v1/boards/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/boards/")
    assert (
        limited["Content-Type"] == "application/problem+json" and int(limited["Retry-After"]) >= 1
    )
    secret = make_key()
    assert [client.get("/api/v1/boards/", **bearer(secret)).status_code for _ in range(6)] == [
        200
    ] * 5 + [429]


def test_api_key_command_prints_the_key_last_and_stores_only_a_hash(capsys, world):
    from liuyan.api.keys import key_for
    from liuyan.api.models import ApiKey

    call_command("api-key", "create", "--name", "12345 热线", "--scopes", "submit", "read")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert key_for(secret) == key and key.scopes == ["read", "submit"]
    assert secret not in json.dumps([key.digest, key.prefix, key.name])
    call_command("api-key", "revoke", key.prefix)
    assert key_for(secret) is None


def test_schema_and_docs_are_served_from_the_app(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/messages/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    page = docs.content.decode()
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/" in page
    assert "<script>" not in page and "<style" not in page and "https://" not in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_tick_forgets_old_idempotency_keys_and_rate_windows(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from liuyan.api.models import IdempotencyRecord, RateWindow
    from liuyan.api.services import prune_api_records

    secret = make_key("submit")
    headers = {**bearer(secret), "HTTP_IDEMPOTENCY_KEY": "k"}
    data = {**FILING, "board": world.board.pk}
    client.post("/api/v1/messages/", data, content_type="application/json", **headers)
    assert IdempotencyRecord.objects.count() == 1 and RateWindow.objects.count() == 1
    assert prune_api_records(now=timezone.now()) == (0, 0)
    assert prune_api_records(now=timezone.now() + timedelta(days=8)) == (1, 1)


def test_staff_writes_with_a_key_are_audited(client, world, public_message):
    from liuyan.accounts.models import AuditEntry

    assignment = lead(public_message)
    secret = make_key("handle", user=world.handler)
    client.post(f"/api/v1/assignments/{assignment.pk}/accept/", **bearer(secret))
    entry = AuditEntry.objects.filter(user=world.handler).latest("at")
    assert entry.action == "api:accept" and entry.method == "POST"
    assert entry.detail["pk"] == str(assignment.pk) and entry.detail["status"] == 200
