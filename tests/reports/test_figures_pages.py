"""The home and board figures come from the roll-ups: no page counts the message table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE_TABLES = ("board_message", "board_evaluation", "board_reply")


def _counts_over_messages(queries) -> list[str]:
    """Queries that aggregate over the board's message tables (COUNT, SUM, AVG …)."""
    found = []
    for query in queries:
        sql = query["sql"]
        if re.search(r"\b(COUNT|SUM|AVG)\(", sql) and any(t in sql for t in MESSAGE_TABLES):
            found.append(sql)
    return found


def test_home_figures_come_from_rollups_not_counts(client, make):
    make.replied()
    make.dispatched()
    make.submitted(public=False)  # private: not in the public figures
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.messages, figures.replied, figures.reply_rate) == (2, 1, 50.0)
    assert _counts_over_messages(queries.captured_queries) == []


def test_board_figures_come_from_rollups_not_counts(client, world, make):
    make.replied()
    make.replied()
    make.accepted()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:board", args=[world.board.pk]))
    figures = response.context["figures"]
    assert (figures.messages, figures.replied) == (3, 2)
    assert figures.median_days == 2  # accepted on day 0, replied two days later (Mon → Wed)
    assert _counts_over_messages(queries.captured_queries) == []
