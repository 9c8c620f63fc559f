"""Serial numbers come from the day's counter row: the public format, one day after another, a
rolled-back submission gives its number back, and days numbered elsewhere continue after their
highest serial."""

from datetime import timedelta

import pytest
from django.db import transaction

from liuyan.board import serials
from liuyan.board import services as s
from liuyan.board.models import Message, SerialCounter
from tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

BODY = "小区电梯频繁故障，老人上下楼非常困难，物业一直拖着不修。"


def _submit(world, at):
    return s.submit_message(
        author=world.citizen,
        board=world.board,
        type="help",
        title="电梯频繁故障",
        body=BODY,
        now=at,
    )


def test_serials_are_the_shanghai_day_and_a_six_digit_running_number(world):
    late_monday = MONDAY + timedelta(hours=14, minutes=59)  # 23:59 in Shanghai
    tuesday = MONDAY + timedelta(hours=15)  # 00:00 on Tuesday in Shanghai, still Monday in UTC
    assert _submit(world, MONDAY).serial == "20260302000001"
    assert _submit(world, late_monday).serial == "20260302000002"
    assert _submit(world, tuesday).serial == "20260303000001"
    assert dict(SerialCounter.objects.values_list("day", "last")) == {
        MONDAY.date(): 2,
        (MONDAY + timedelta(days=1)).date(): 1,
    }


def test_a_rolled_back_submission_gives_its_number_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(world, MONDAY)
        raise RuntimeError("the send failed after the message was saved")
    assert _submit(world, MONDAY).serial == "20260302000001"


def test_a_day_without_a_counter_continues_after_its_stored_serials(world):
    _submit(world, MONDAY)
    Message.objects.update(serial="20260302000041")  # numbered by a bulk load, not the counter
    SerialCounter.objects.all().delete()
    assert _submit(world, MONDAY).serial == "20260302000042"


def test_sync_moves_counters_up_to_the_stored_serials_and_never_down(world):
    first, second = _submit(world, MONDAY), _submit(world, MONDAY + timedelta(days=1))
    Message.objects.filter(pk=first.pk).update(serial="20260302000090")
    SerialCounter.objects.filter(day=(MONDAY + timedelta(days=1)).date()).update(last=7)
    assert serials.sync_counters() == 2
    assert dict(SerialCounter.objects.values_list("day", "last")) == {
        MONDAY.date(): 90,
        (MONDAY + timedelta(days=1)).date(): 7,  # ahead of its stored serial: left alone
    }
    assert second.serial == "20260303000001"
    assert _submit(world, MONDAY).serial == "20260302000091"


def test_reserving_in_bulk_continues_after_each_days_stored_serials(world):
    """An import's days that have no counter yet start after the serials stored on them (read
    for all the days in one statement), and a day with nothing stored starts at 1."""
    first, second = _submit(world, MONDAY), _submit(world, MONDAY + timedelta(days=1))
    Message.objects.filter(pk=first.pk).update(serial="20260302000041")
    Message.objects.filter(pk=second.pk).update(serial="20260303000007")
    SerialCounter.objects.all().delete()
    days = [(MONDAY + timedelta(days=k)).date() for k in range(3)]
    reserved = serials.reserve_serials({days[0]: 2, days[1]: 1, days[2]: 1})
    assert reserved == {
        days[0]: ["20260302000042", "20260302000043"],
        days[1]: ["20260303000008"],
        days[2]: ["20260304000001"],
    }
