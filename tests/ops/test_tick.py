import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

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
    with translation.override("en"):
        call_command("tick", stdout=first)
        call_command("tick", stdout=second)

    assert Message.objects.get(pk=m.pk).state == State.CLOSED
    assert "Closed 1 unrated messages." in first.getvalue()
    assert "Closed 0 unrated messages." in second.getvalue()


def test_tick_reminds_a_unit_once_of_an_overdue_acceptance(world):
    from liuyan.notifications.models import Notification

    past = timezone.now() - timedelta(days=30)
    m = s.submit_message(
        author=world.citizen,
        board=world.board,
        type="help",
        title="公交站台破损",
        body="公交站台的顶棚破了一个大洞，下雨天等车的人都被淋湿。",
        now=past,
    )
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau, now=past)
    # tick reminds the deadlines missed within its look-back week (the rows its partial index
    # holds); this one passed two days ago, whatever holidays the calendar puts in between.
    m.assignments.update(accept_by=timezone.now() - timedelta(days=2))
    before = Notification.objects.filter(recipient=world.handler).count()
    out = StringIO()
    with translation.override("en"):
        call_command("tick", stdout=out)
        call_command("tick", stdout=StringIO())
    assert "1 overdue" in out.getvalue()
    assert Notification.objects.filter(recipient=world.handler).count() == before + 1


def test_tick_removes_abandoned_draft_images(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stale = tmp_path / "drafts" / "token1" / "a.jpg"
    fresh = tmp_path / "drafts" / "token2" / "b.jpg"
    for path in (stale, fresh):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(stale, (two_days_ago, two_days_ago))
    call_command("tick", stdout=StringIO())
    assert not stale.exists() and fresh.exists()


def test_tick_queues_the_hot_issue_run_once_a_day(django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    first, second = StringIO(), StringIO()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        call_command("tick", stdout=first)
        call_command("tick", stdout=second)
    assert "Queued today's hot-issue run" in first.getvalue()
    assert "Queued" not in second.getvalue()
    assert DBTaskResult.objects.filter(task_path__contains="hot_issues").count() == 1


def test_tick_deletes_write_form_tokens_past_their_lifetime(world, settings):
    from liuyan.portal import formtokens
    from liuyan.portal.models import FormToken

    settings.LIUYAN_FORM_TOKEN_HOURS = 24
    now = timezone.now()
    old = formtokens.issue(world.citizen, now=now - timedelta(hours=25))
    fresh = formtokens.issue(world.citizen, now=now - timedelta(hours=23))
    assert formtokens.find(world.citizen, old) is None  # lapsed even before tick removes it
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("tick", stdout=out)
    assert set(FormToken.objects.values_list("token", flat=True)) == {fresh}
    assert "已删除 1 个过期的留言表单令牌。" in out.getvalue()
