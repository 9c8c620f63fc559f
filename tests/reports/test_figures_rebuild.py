"""`rebuild` on every core (PostgreSQL) writes exactly the rows the serial rebuild writes."""

from __future__ import annotations

import pytest
from django.db import connection

from liuyan.board.models import Message
from liuyan.reports.figures import services
from liuyan.reports.figures.measures import MEASURES
from liuyan.reports.models import Figure, MessageFigures


def _figure_rows() -> list[tuple]:
    keys = ["public", "kind", "key", "period", "start"]
    return sorted(Figure.objects.values_list(*keys, *MEASURES))


def _facts_rows() -> list[tuple]:
    names = [f.attname for f in MessageFigures._meta.concrete_fields]
    return sorted(MessageFigures.objects.values_list(*names))


@pytest.mark.django_db(transaction=True)
def test_a_parallel_rebuild_writes_the_rows_of_a_serial_one(monkeypatch):
    from liuyan.demo import generate, parallel, world

    if connection.vendor != "postgresql":
        pytest.skip("SQLite always rebuilds in one process")
    if not parallel.can_fork():
        pytest.skip("needs more than one CPU")
    world.ensure_reference_data()
    world.ensure_world(seed=3)
    generate.generate_messages(500, seed=3, processes=2)
    total = Message.objects.count()

    assert services.rebuild(processes=1) == total >= 500
    serial_figures, serial_facts = _figure_rows(), _facts_rows()
    assert len(serial_facts) == total and len(serial_figures) > total

    seen = []
    monkeypatch.setattr(services, "FLUSH_EVERY", 3)  # parts summed in several rounds
    counted = services.rebuild(
        processes=2, chunk=37, progress=lambda done, total: seen.append((done, total))
    )
    assert counted == total
    assert seen[-1] == (total, total) and len(seen) > 10  # chunks of 37 ids, not one big one
    assert _figure_rows() == serial_figures
    assert _facts_rows() == serial_facts
