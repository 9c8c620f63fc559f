"""Decisions on suggestions: ids from the URL are checked before any query."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("huge", [str(2**63), str(10**40)])
def test_a_decision_for_an_id_past_64_bits_is_not_found(client, world, huge):
    """The bad-input sweep once got a 500 here: SQLite cannot take the number at all."""
    client.force_login(world.moderator)
    response = client.post(f"/suggestions/{huge}/decide/", {"lead_unit": "1"})
    assert response.status_code == 404
