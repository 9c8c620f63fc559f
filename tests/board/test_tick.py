from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from liuyan.board import services as s
from liuyan.board.models import Message
from liuyan.core.lifecycle import State

pytestmark = pytest.mark.django_db


def test_tick_closes_expired_unrated_replies_once(world):
    past = timezone.now() - timedelta(days=40)
    m = s.submit_message(
        author=world.citizen,
        board=world.board,
        type="help",
        title="公交站台破损",
        body="公交站台的顶棚破了一个大洞，下雨天等车的人都被淋湿。",
        now=past,
    )
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau, now=past)
    lead = m.assignments.get()
    s.accept_assignment(assignment_id=lead.pk, actor=world.handler, now=past)
    reply = s.submit_reply(assignment_id=lead.pk, actor=world.handler, body="已修复。", now=past)
    s.approve_reply(reply_id=reply.pk, actor=world.moderator, now=past)

    first, second = StringIO(), StringIO()
    call_command("tick", stdout=first)
    call_command("tick", stdout=second)

    assert Message.objects.get(pk=m.pk).state == State.CLOSED
    assert "1" in first.getvalue() and "0" in second.getvalue()
