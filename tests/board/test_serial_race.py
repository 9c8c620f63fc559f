"""Serial numbers under real concurrency on PostgreSQL: many submissions in the same instant, each
in its own thread and database connection, all get a number and no two get the same one."""

import threading

import pytest
from django.db import connection

from liuyan.board import services as s
from liuyan.board.models import Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BODY = "小区电梯频繁故障，老人上下楼非常困难，物业一直拖着不修。"
THREADS = 12
EACH = 5


def _submit_many(world, barrier, errors):
    barrier.wait()
    try:
        for _ in range(EACH):
            s.submit_message(
                author=world.citizen,
                board=world.board,
                type="help",
                title="电梯频繁故障",
                body=BODY,
            )
    except Exception as error:  # the test reports every failure, whatever its kind
        errors.append(error)
    finally:
        connection.close()


def test_a_burst_of_submissions_gets_every_serial_once_and_in_order(world):
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=_submit_many, args=(world, barrier, errors)) for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], f"{len(errors)} submissions failed, e.g. {errors[0]!r}"
    serials = sorted(Message.objects.values_list("serial", flat=True))
    assert len(serials) == THREADS * EACH
    day = serials[0][:8]
    assert serials == [f"{day}{n:06d}" for n in range(1, THREADS * EACH + 1)]
