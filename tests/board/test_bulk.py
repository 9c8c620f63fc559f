"""`board.bulk.insert_rows` writes many rows a statement and hands back their ids in order,
however many statements the rows take."""

import pytest
from django.db import connection

from liuyan.board import bulk
from liuyan.directory.models import Region

pytestmark = pytest.mark.django_db


def test_ids_come_back_in_the_order_of_the_rows_across_statements(monkeypatch):
    from django.utils import timezone

    # Few parameters a statement, so that 50 rows take several statements here too.
    monkeypatch.setattr(bulk, "_parameters_per_statement", lambda: 40)
    rows = [{"code": f"9{n:05d}", "name": f"区{n}", "level": 3} for n in range(50)]
    ids = bulk.insert_rows(Region, rows, timezone.now())
    assert len(ids) == len(set(ids)) == 50
    assert dict(Region.objects.filter(pk__in=ids).values_list("pk", "code")) == {
        pk: row["code"] for pk, row in zip(ids, rows, strict=True)
    }


def test_a_statement_carries_as_many_rows_as_sqlite_takes():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps Django's limit (wide statements are slow to prepare there)")
    # Not Django's 999 of old SQLite releases: a message insert fires the FTS trigger, and 28
    # rows a statement made indexing an import's texts two to three times as costly.
    assert bulk._parameters_per_statement() == bulk.SQLITE_PARAMETERS
