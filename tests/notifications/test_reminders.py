from datetime import timedelta

import pytest
from django.core import mail

from liuyan.board import services as s
from liuyan.notifications.models import Notification, ReminderLog
from liuyan.notifications.reminders import send_due_reminders
from tests.conftest import MONDAY

from . import steps

pytestmark = pytest.mark.django_db


def test_unit_is_reminded_once_a_working_day_before_the_accept_deadline(world):
    world.handler.email = "handler@example.cn"
    world.handler.save()
    m = steps.dispatched(world)
    deadline = steps.lead(m).accept_by
    eve = deadline - timedelta(hours=2)

    first = send_due_reminders(now=eve)
    second = send_due_reminders(now=eve + timedelta(minutes=5))

    assert first["due_soon"] == 1 and second["due_soon"] == 0
    note = Notification.objects.get(kind="due_soon")
    assert note.recipient == world.handler and m.serial in note.title
    assert [message.to for message in mail.outbox] == [["handler@example.cn"]]


def test_no_reminder_while_the_deadline_is_far(world):
    m = steps.dispatched(world)
    assert steps.lead(m).accept_by - MONDAY > timedelta(days=3)
    assert send_due_reminders(now=MONDAY + timedelta(hours=1)) == {
        "due_soon": 0,
        "overdue": 0,
        "retried": 0,
    }


def test_overdue_reply_is_reminded_once(world):
    m = steps.accepted(world)
    deadline = steps.lead(m).reply_by
    late = deadline + timedelta(hours=1)

    assert send_due_reminders(now=late)["overdue"] == 1
    assert send_due_reminders(now=late + timedelta(days=1))["overdue"] == 0
    log = ReminderLog.objects.get(kind="overdue")
    assert log.deadline == deadline and log.assignment == steps.lead(m)
    assert m.serial in Notification.objects.get(kind="overdue").title


def test_an_extension_moves_the_deadline_and_it_is_reminded_again(world):
    m = steps.accepted(world)
    assignment = steps.lead(m)
    send_due_reminders(now=assignment.reply_by - timedelta(hours=1))
    request = s.request_extension(
        assignment_id=assignment.pk, actor=world.handler, reason="需要勘查", days=5, now=MONDAY
    )
    s.decide_extension(request_id=request.pk, actor=world.moderator, approve=True, now=MONDAY)
    assignment.refresh_from_db()

    again = send_due_reminders(now=assignment.reply_by - timedelta(hours=1))

    assert again["due_soon"] == 1
    assert ReminderLog.objects.filter(assignment=assignment, kind="due_soon").count() == 2
