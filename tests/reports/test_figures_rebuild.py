"""`rebuild` on PostgreSQL leaves the planner statistics of the roll-up tables fresh: without
them every read was estimated at one row and a slice's own rows were read through the
(kind, period, start) index, every slice of the kind with them."""

from __future__ import annotations

import pytest
from django.db import connection

from liuyan.reports.figures import services

pytestmark = pytest.mark.django_db


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_rebuild_analyzes_the_rollup_tables(make):
    make.replied()
    make.dispatched()
    services.rebuild()
    assert _estimated_rows("reports_figure") > 10
    assert _estimated_rows("reports_messagefigures") == 2
