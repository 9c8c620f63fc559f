"""Settings that every PostgreSQL connection of the app gets."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile():
    """JIT compiling cost ~112 ms per plan above jit_above_cost on the leader's overview at 1M
    messages, more than the queries themselves; the app's connections turn it off."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
