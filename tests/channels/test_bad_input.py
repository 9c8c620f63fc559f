"""Bad input to the export page and the hotline console: a form error, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "params",
    [
        {"format": "csv", "board": str(10**40)},
        {"format": "csv", "board": "-1"},
        {"format": "csv", "since": "2019-13-45"},
        {"format": "xlsx", "state": "x" * 500},
        {"format": "jsonl", "channel": "\u00e9"},
        {"format": "csv", "until": "0000-01-01"},
    ],
)
def test_export_bad_input(client, world, params):
    client.force_login(world.moderator)
    assert client.get(reverse("desk:export"), params).status_code < 500


@pytest.mark.parametrize(
    "url,params",
    [
        ("desk:operator_caller", {"caller_phone": "9" * 500}),
        ("desk:operator_regions", {"region": "%_\\'"}),
        ("desk:operator_domain", {"title": "x" * 100, "body": "y" * 5000}),
    ],
)
def test_console_bad_input(client, world, url, params):
    client.force_login(world.operator)
    assert client.get(reverse(url), params).status_code == 200


def test_console_post_bad(client, world):
    client.force_login(world.operator)
    r = client.post(
        reverse("desk:operator_new"),
        {
            "caller_phone": "13912345678",
            "board": str(10**40),
            "transfer_to": str(2**63),
            "region": "99999999999999999999 x",
            "type": "help",
            "title": "t",
            "body": "b",
        },
    )
    assert r.status_code == 200
