"""Open311 GeoReport v2 against the live test server with a real HTTP client, in JSON and XML:
an unchanged Open311 client can list services, file a request, look it up at once by its id
(status open, no text yet) and by its token, and read it in full once it is screened."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests

from .conftest import PHONE, lead, make_key

pytestmark = pytest.mark.django_db(transaction=True)
# Generous: on a busy two-core machine the live server's first answer loads the masking rules.
TIMEOUT = 60

DESCRIPTION = (
    "人民路与解放路交叉口的红绿灯坏了三天，早晚高峰非常拥堵，请尽快修好。我的手机13912345678。"
)


def _xml(content: bytes) -> ET.Element:
    # Our own test server's answer, not untrusted input.
    return ET.fromstring(content)  # noqa: S314


def _get(base, path, fmt, **params):
    return requests.get(f"{base}/open311/v2/{path}.{fmt}", params=params, timeout=TIMEOUT)


def _rows(answer, fmt):
    """The list of objects of either format, as dicts of strings (XML) or values (JSON)."""
    if fmt == "json":
        assert answer.headers["Content-Type"].startswith("application/json")
        return answer.json()
    assert answer.headers["Content-Type"].startswith("text/xml")
    root = _xml(answer.content)
    return [{child.tag: (child.text or "") for child in item} for item in root]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_client_files_and_follows_a_request(live_server, world, fmt):
    from liuyan.board import services
    from liuyan.board.models import Message

    base = live_server.url
    services_answer = _get(base, "services", fmt, jurisdiction_id=world.city.code)
    assert services_answer.status_code == 200
    listed = _rows(services_answer, fmt)
    assert [s["service_code"] for s in listed] == [str(world.board.pk)]
    definition = _get(base, f"services/{world.board.pk}", fmt)
    assert definition.status_code == 200
    if fmt == "json":
        codes = [a["code"] for a in definition.json()["attributes"]]
    else:
        codes = [a.findtext("code") for a in _xml(definition.content).iter("attribute")]
    assert codes[:2] == ["type", "domain"]

    key = make_key("submit")
    filed = requests.post(
        f"{base}/open311/v2/requests.{fmt}",
        data={
            "api_key": key,
            "jurisdiction_id": world.city.code,
            "service_code": str(world.board.pk),
            "lat": "28.194123",
            "long": "112.982456",
            "address_string": "长沙市人民路与解放路交叉口",
            "first_name": "明",
            "last_name": "李",
            "phone": "13912345678",
            "email": "li.ming@example.com",
            "description": DESCRIPTION,
            "media_url": "https://example.com/light.jpg",
            "attribute[type]": "help",
        },
        timeout=TIMEOUT,
    )
    assert filed.status_code == 201, filed.text
    created = _rows(filed, fmt)[0]
    serial, token = created["service_request_id"], created["token"]
    message = Message.objects.get(serial=serial)
    assert message.channel == "api" and message.type == "help"
    assert message.contact.phone == "13912345678" and message.open311.lat is not None

    # Right after filing: found by id and by token, open, and no text yet.
    early = _get(base, f"requests/{serial}", fmt)
    assert early.status_code == 200
    row = _rows(early, fmt)[0]
    assert row["status"] == "open" and "description" not in row
    assert "13912345678" not in early.text and "li.ming" not in early.text
    assert _rows(_get(base, f"tokens/{token}", fmt), fmt)[0]["service_request_id"] == serial
    assert serial not in _get(base, "requests", fmt).text  # lists show public ones only

    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    public = _rows(_get(base, f"requests/{serial}", fmt), fmt)[0]
    assert public["description"].startswith("人民路") and "139****5678" in public["description"]
    assert public["agency_responsible"] == world.bureau.name
    assert str(public["lat"]) == "28.194" and public["media_url"] == "https://example.com/light.jpg"
    listed = _rows(_get(base, "requests", fmt, status="open", service_code=world.board.pk), fmt)
    assert [r["service_request_id"] for r in listed] == [serial]
    assert _rows(_get(base, "requests", fmt, status="closed"), fmt) == []

    # Returned as misrouted, then rejected: a thrown-out request reads as closed.
    assignment = lead(message)
    services.return_assignment(assignment_id=assignment.pk, actor=world.handler, reason="不归我局")
    services.reject_message(message_id=message.pk, actor=world.moderator, reason="outside_remit")
    closed = _rows(_get(base, f"requests/{serial}", fmt), fmt)[0]
    assert closed["status"] == "closed"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_in_the_specs_format(live_server, world, fmt):
    base = live_server.url
    no_key = requests.post(
        f"{base}/open311/v2/requests.{fmt}",
        data={
            "service_code": str(world.board.pk),
            "description": DESCRIPTION,
            "lat": "1",
            "long": "1",
        },
        timeout=TIMEOUT,
    )
    assert no_key.status_code == 400
    bad_key = requests.post(
        f"{base}/open311/v2/requests.{fmt}",
        data={"api_key": "ly_deadbeef_nope", "service_code": str(world.board.pk)},
        timeout=TIMEOUT,
    )
    assert bad_key.status_code == 403
    reader = make_key("read")
    read_only_key = requests.post(
        f"{base}/open311/v2/requests.{fmt}",
        data={"api_key": reader, "service_code": str(world.board.pk), "description": DESCRIPTION},
        headers={"Accept-Language": "en"},
        timeout=TIMEOUT,
    )
    assert read_only_key.status_code == 403  # the key may read, not file
    assert "submit" in read_only_key.text
    unknown = _get(base, "requests/20990101000001", fmt)
    assert unknown.status_code == 404
    if fmt == "json":
        error = unknown.json()[0]
        assert error["code"] == 404 and error["description"]
    else:
        root = _xml(unknown.content)
        assert root.tag == "errors" and root.find("error/code").text == "404"
    assert _get(base, "services", fmt, jurisdiction_id="999999").status_code == 404


def test_private_message_stays_out_of_open311(live_server, world, private_message, public_message):
    base = live_server.url
    listed = _get(base, "requests", "json").text
    assert public_message.serial in listed and private_message.serial not in listed
    assert _get(base, f"requests/{private_message.serial}", "json").status_code == 404
    assert PHONE not in listed


def test_a_private_request_is_found_only_with_its_own_key(live_server, world):
    base = live_server.url
    key, other = make_key("submit"), make_key("submit")
    filed = requests.post(
        f"{base}/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": str(world.board.pk),
            "address_string": "长沙市人民路",
            "description": DESCRIPTION,
            "attribute[is_public]": "false",
        },
        timeout=TIMEOUT,
    ).json()[0]
    serial = filed["service_request_id"]
    assert _get(base, f"requests/{serial}", "json").status_code == 404
    assert _get(base, f"requests/{serial}", "json", api_key=other).status_code == 404
    own = _get(base, f"requests/{serial}", "json", api_key=key)
    assert own.status_code == 200 and own.json()[0]["status"] == "open"
    assert _get(base, f"tokens/{filed['token']}", "json").status_code == 200
