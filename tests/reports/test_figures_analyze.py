"""`rebuild` on PostgreSQL leaves the planner statistics of the roll-up tables fresh: without
them every read was estimated at one row and a slice's own rows were read through the
(kind, period, start) index, every slice of the kind with them."""

from __future__ import annotations

import pytest
from django.db import connection

from liuyan.reports.figures import services

pytestmark = pytest.mark.django_db


def _analyzed(table: str) -> int:
    """How many times the table was analyzed (the statistics counters, read afresh)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_rebuild_analyzes_the_rollup_tables(make):
    make.replied()
    make.dispatched()
    before = {t: _analyzed(t) for t in ("reports_figure", "reports_messagefigures")}
    services.rebuild()
    for table, count in before.items():
        assert _analyzed(table) == count + 1, table
