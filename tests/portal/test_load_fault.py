"""The bounded form of bench/load_fault.py, on PostgreSQL: 200 messages written through the real
production server (gunicorn, three workers, DEBUG off) by concurrent clients that share browser
sessions and resend on connection errors and 5xx, with one worker SIGKILLed midway. Not one
confirmed message may be missing, none doubled, no 5xx."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from bench import load_fault

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PORT = 8251  # intake's port range is 8200-8299


def test_200_messages_with_a_worker_killed_midway_lose_and_double_nothing():
    result = load_fault.run_load_fault(
        database_url=load_fault.database_url_of(connection.settings_dict),
        secret_key=settings.SECRET_KEY,
        port=PORT,
        messages=200,
        clients=8,
        sessions=4,
        workers=3,
    )
    report = "\n".join(result.lines())
    print(report)
    assert result.killed_worker is not None, report
    assert (result.lost, result.doubled, result.server_errors) == (0, 0, 0), report
    assert (result.unconfirmed, result.wrong_answer) == (0, 0), report
    assert result.confirmed == result.created == 200, report
