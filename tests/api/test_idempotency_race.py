"""Two filings with the same Idempotency-Key at the same instant make one message: the second
waits on the key's unique index until the first commits, then answers with the first."""

from __future__ import annotations

import threading

import pytest

from .conftest import BODY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_retries_make_one_message(world):
    from django.db import connection

    from liuyan.api import services
    from liuyan.api.keys import create_key
    from liuyan.board.models import Message

    key, _secret = create_key(name="racer", scopes=["submit"])
    data = {"board": world.board, "type": "complaint", "title": "路灯长期不亮的问题", "body": BODY}
    start = threading.Barrier(2)
    results: list = []

    def file() -> None:
        try:
            start.wait()
            filed = services.file_message(author=None, key=key, data=data, idempotency_key="race")
            results.append((filed.message.pk, filed.replayed))
        finally:
            connection.close()

    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Message.objects.count() == 1
    assert sorted(replayed for _pk, replayed in results) == [False, True]
    assert {pk for pk, _replayed in results} == {Message.objects.get().pk}
