"""schemathesis against the API's own OpenAPI schema, as an anonymous caller: no server error,
every answer within the schema, and nothing private in any of them.

The seeded site has a private message (its serial, title and text must never appear), a public
one whose text carries a phone number and an ID number (only masked copies may appear), and a
message filed with a contact name, phone and e-mail (never shown to anyone through the API).

Bounded: a dozen generated cases per operation (about 25 operations), well under a minute per
database; `-m slow` is not needed for it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from .conftest import ID_NUMBER, PHONE, dispatched, submit

CONTACT_NAME = "欧阳秘密"
CONTACT_EMAIL = "secret.person@example.org"
CONTACT_PHONE = "13655554444"
SECRETS: list[str] = []


def _schema():
    """The schema the app serves at /api/v1/schema/, built without a request (the test database
    does not exist yet at collection), and the app itself to call through WSGI."""
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(_plain(document))
    loaded.app = get_wsgi_application()
    return loaded


def _plain(value):
    """drf-spectacular's document holds lazy translations; JSON has strings."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.fixture
def same_connection():
    """Requests through schemathesis' WSGI client run in the test's transaction, as with
    Django's test client: the end of a request must not hand the connection back (with
    PostgreSQL's pool the next request would open another one inside the atomic block)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(world, settings, same_connection):
    settings.LIUYAN_API_RATE_PER_ADDRESS = 100_000
    private = dispatched(
        world,
        submit(
            world,
            title="家中漏水请协调处理",
            body="我家漏水严重，楼上不配合维修，请帮忙协调。住址枫林三路18号5栋302室。",
            is_public=False,
        ),
    )
    dispatched(
        world, submit(world, body=f"路灯坏了很久了，请修理。我的电话{PHONE}，身份证{ID_NUMBER}。")
    )
    dispatched(
        world,
        submit(
            world,
            title="公园长椅损坏需要维修",
            body="公园里的长椅坏了好几张，老人没有地方休息，希望尽快维修更换。",
            contact={"name": CONTACT_NAME, "phone": CONTACT_PHONE, "email": CONTACT_EMAIL},
        ),
    )
    SECRETS[:] = [
        private.serial,
        "家中漏水",
        "枫林三路",
        PHONE,
        ID_NUMBER,
        CONTACT_NAME,
        CONTACT_EMAIL,
        CONTACT_PHONE,
    ]


def nothing_private(ctx, response, case) -> None:
    text = response.content.decode("utf-8", "replace")
    leaked = [secret for secret in SECRETS if secret in text]
    if leaked:
        raise AssertionError(f"{case.method} {case.formatted_path} shows {leaked}")


schema = _schema()
CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_schema_and_its_secrets(case, seeded):
    # Anonymous: whatever credentials the schema's security schemes made up are dropped.
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.cookies = {}
    response = case.call()
    # The response checks; "schema-valid input accepted" is not one of them: a board id the
    # schema allows may still not exist, and the answer is then rightly a 400.
    case.validate_response(response, checks=[*CHECKS, nothing_private])
