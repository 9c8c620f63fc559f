"""Every step that puts work on someone's desk tells them, in the inbox and by e-mail.

The lifecycle is walked once per kind of work; `EXPECTED` names who must hear about each step.
`test_every_action_that_makes_work_is_covered` keeps the table complete: an action added to the
lifecycle that creates work must be added here (and to the notifications) or be listed as one
that creates none.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from liuyan.board import services as s
from liuyan.board.models import Event, Message
from liuyan.core.lifecycle import Action
from liuyan.notifications.models import Delivery, Notification
from liuyan.notifications.reminders import send_due_reminders
from tests.conftest import MONDAY

from . import steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

# Steps that leave nobody new work: the actor's own progress, or a state the public just sees.
NO_NEW_WORK = {
    Action.SUBMIT,  # moderators see it in their screening queue, due by a working day
    Action.SCREEN,
    Action.ACCEPT,
    Action.CONTRIBUTE,
    Action.DRAFT_REPLY,
    Action.SUBMIT_REPLY,  # in the moderators' review queue
    Action.SIGN_OFF,  # likewise
    Action.RATE_SATISFIED,
    Action.THANK,
    Action.CLOSE,
    Action.AUTO_CLOSE,
}


def heard(message, action) -> set[str]:
    event = Event.objects.filter(message=message, action=action).latest("seq")
    return set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def _run(capture, step, **kwargs):
    with capture(execute=True):
        return step(now=MONDAY, **kwargs)


def _reply_under_review(w, capture):
    m = steps.accepted(w)
    reply = _run(
        capture, s.submit_reply, assignment_id=steps.lead(m).pk, actor=w.handler, body="已处理。"
    )
    return m, reply


def _signoff_reply(w, capture):
    m = steps.submitted(w)
    s.dispatch_message(message_id=m.pk, actor=w.moderator, lead_unit=w.signoff_unit, now=MONDAY)
    a = steps.lead(m)
    s.accept_assignment(assignment_id=a.pk, actor=w.signoff_handler, now=MONDAY)
    reply = _run(
        capture, s.submit_reply, assignment_id=a.pk, actor=w.signoff_handler, body="已处理。"
    )
    return m, reply


def _answered_follow_up(w, capture):
    m = steps.replied(w)
    question = _run(capture, s.follow_up, message_id=m.pk, actor=w.citizen, body="什么时候修好？")
    _run(
        capture,
        s.answer_follow_up,
        follow_up_id=question.pk,
        actor=w.handler,
        body="本周五前修好。",
    )
    return m, question


def walk_dispatch(w, c):
    m = steps.submitted(w)
    _run(c, s.dispatch_message, message_id=m.pk, actor=w.moderator, lead_unit=w.bureau)
    return m


def walk_urgent_dispatch(w, c):
    m = s.submit_message(
        author=w.citizen,
        board=w.board,
        type="help",
        title="村口的桥塌了一半",
        body="村口的桥昨晚塌了一半，车辆还在通行，非常危险，请尽快处理。",
        is_urgent=True,
        channel="hotline",
        entered_by=w.operator,
        now=MONDAY,
    )
    _run(c, s.dispatch_urgent_call, message_id=m.pk, actor=w.operator, lead_unit=w.bureau)
    return m


def walk_redispatch(w, c):
    m = steps.dispatched(w)
    _run(c, s.dispatch_message, message_id=m.pk, actor=w.moderator, lead_unit=w.signoff_unit)
    return m


def walk_return(w, c):
    m = steps.dispatched(w)
    _run(c, s.return_assignment, assignment_id=steps.lead(m).pk, actor=w.handler, reason="非本单位")
    return m


def walk_transfer(w, c):
    m = steps.accepted(w)
    _run(
        c,
        s.transfer_assignment,
        assignment_id=steps.lead(m).pk,
        actor=w.handler,
        to_unit=w.district_office,
    )
    return m


def walk_invite_co(w, c):
    m = steps.accepted(w)
    _run(
        c, s.invite_co_units, assignment_id=steps.lead(m).pk, actor=w.handler, units=[w.other_unit]
    )
    return m


def walk_request_extension(w, c):
    m = steps.accepted(w)
    _run(
        c,
        s.request_extension,
        assignment_id=steps.lead(m).pk,
        actor=w.handler,
        reason="需要勘查",
        days=5,
    )
    return m


def _decide_extension(w, c, approve):
    m = steps.accepted(w)
    request = s.request_extension(
        assignment_id=steps.lead(m).pk, actor=w.handler, reason="需要勘查", days=5, now=MONDAY
    )
    _run(c, s.decide_extension, request_id=request.pk, actor=w.moderator, approve=approve)
    return m


def walk_approve_extension(w, c):
    return _decide_extension(w, c, True)


def walk_deny_extension(w, c):
    return _decide_extension(w, c, False)


def walk_return_reply(w, c):
    m, reply = _reply_under_review(w, c)
    _run(c, s.return_reply, reply_id=reply.pk, actor=w.moderator, reason="答复过于简单")
    return m


def walk_approve_reply(w, c):
    m, reply = _reply_under_review(w, c)
    _run(c, s.approve_reply, reply_id=reply.pk, actor=w.moderator)
    return m


def walk_approve_after_instruction(w, c):
    m, reply = _reply_under_review(w, c)
    s.instruct(message_id=m.pk, actor=w.leader, body="请住建局尽快解决", now=MONDAY)
    _run(c, s.approve_reply, reply_id=reply.pk, actor=w.moderator)
    return m


def walk_submit_for_signoff(w, c):
    m, _reply = _signoff_reply(w, c)
    return m


def walk_refuse_signoff(w, c):
    m, reply = _signoff_reply(w, c)
    _run(c, s.refuse_signoff, reply_id=reply.pk, actor=w.signoff_head, reason="补充整改时限")
    return m


def walk_reject(w, c):
    m = steps.submitted(w)
    _run(c, s.reject_message, message_id=m.pk, actor=w.moderator, reason="other", note="内容不完整")
    return m


def walk_mark_duplicate(w, c):
    original = steps.dispatched(w)
    m = steps.submitted(w)
    _run(c, s.mark_duplicate, message_id=m.pk, original_id=original.pk, actor=w.moderator)
    return m


def walk_rate_unsatisfied(w, c):
    m = steps.replied(w)
    _run(c, s.rate_reply, message_id=m.pk, actor=w.citizen, solved=False, attitude=2, speed=2)
    return m


def walk_reopen(w, c):
    m = steps.rated_unsatisfied(w)
    _run(c, s.reopen_message, message_id=m.pk, actor=w.moderator)
    return m


def walk_follow_up(w, c):
    m = steps.replied(w)
    _run(c, s.follow_up, message_id=m.pk, actor=w.citizen, body="什么时候修好？")
    return m


def walk_answer_follow_up(w, c):
    m, _question = _answered_follow_up(w, c)
    return m


def walk_approve_follow_up_answer(w, c):
    m, question = _answered_follow_up(w, c)
    _run(c, s.review_follow_up_answer, follow_up_id=question.pk, actor=w.moderator, approve=True)
    return m


def walk_return_follow_up_answer(w, c):
    m, question = _answered_follow_up(w, c)
    _run(
        c,
        s.review_follow_up_answer,
        follow_up_id=question.pk,
        actor=w.moderator,
        approve=False,
        reason="请说明具体日期",
    )
    return m


def _supervise(w, c, level, actor):
    m = steps.accepted(w)
    _run(c, s.supervise, message_id=m.pk, actor=actor, level=level, note="请抓紧办理")
    return m


def walk_supervise_reminder(w, c):
    return _supervise(w, c, "reminder", w.moderator)


def walk_supervise_supervision(w, c):
    return _supervise(w, c, "supervision", w.moderator)


def walk_supervise_listed(w, c):
    return _supervise(w, c, "listed", w.leader)


def walk_supervise_unscreened(w, c):
    m = steps.submitted(w)
    _run(c, s.supervise, message_id=m.pk, actor=w.leader, level="supervision")
    return m


def walk_instruct(w, c):
    m = steps.accepted(w)
    _run(c, s.instruct, message_id=m.pk, actor=w.leader, body="请住建局尽快解决")
    return m


# (action, walk, who must hear about it)
EXPECTED = [
    (Action.DISPATCH, walk_dispatch, {"handler", "citizen"}),
    (Action.REDISPATCH, walk_redispatch, {"edu-handler"}),
    # The operator's urgent call: the unit must act today, the moderators must still screen it.
    (Action.URGENT_DISPATCH, walk_urgent_dispatch, {"handler", "moderator"}),
    (Action.RETURN, walk_return, {"moderator"}),
    (Action.TRANSFER, walk_transfer, {"sub-handler"}),
    (Action.INVITE_CO, walk_invite_co, {"other-handler"}),
    (Action.REQUEST_EXTENSION, walk_request_extension, {"moderator"}),
    (Action.APPROVE_EXTENSION, walk_approve_extension, {"handler"}),
    (Action.DENY_EXTENSION, walk_deny_extension, {"handler"}),
    (Action.RETURN_REPLY, walk_return_reply, {"handler"}),
    (Action.APPROVE_REPLY, walk_approve_reply, {"citizen"}),
    # The leader who wrote an instruction hears the outcome of it.
    (Action.APPROVE_REPLY, walk_approve_after_instruction, {"citizen", "leader"}),
    (Action.SUBMIT_FOR_SIGNOFF, walk_submit_for_signoff, {"edu-head"}),
    (Action.REFUSE_SIGNOFF, walk_refuse_signoff, {"edu-handler"}),
    (Action.REJECT, walk_reject, {"citizen"}),
    (Action.MARK_DUPLICATE, walk_mark_duplicate, {"citizen"}),
    (Action.RATE_UNSATISFIED, walk_rate_unsatisfied, {"moderator"}),
    (Action.REOPEN, walk_reopen, {"handler", "citizen"}),
    (Action.FOLLOW_UP, walk_follow_up, {"handler"}),
    (Action.ANSWER_FOLLOW_UP, walk_answer_follow_up, {"moderator"}),
    (Action.APPROVE_FOLLOW_UP_ANSWER, walk_approve_follow_up_answer, {"citizen"}),
    (Action.RETURN_FOLLOW_UP_ANSWER, walk_return_follow_up_answer, {"handler"}),
    (Action.SUPERVISE, walk_supervise_reminder, {"handler"}),
    (Action.SUPERVISE, walk_supervise_supervision, {"handler", "head"}),
    (Action.SUPERVISE, walk_supervise_listed, {"handler", "head"}),
    (Action.SUPERVISE, walk_supervise_unscreened, {"moderator"}),
    (Action.INSTRUCT, walk_instruct, {"handler", "head", "moderator"}),
]


def test_every_action_that_makes_work_is_covered():
    covered = {action for action, _walk, _who in EXPECTED}
    assert covered | NO_NEW_WORK == set(Action)


@pytest.mark.parametrize(
    ("action", "walk", "who"), EXPECTED, ids=[walk.__name__[5:] for _a, walk, _w in EXPECTED]
)
def test_the_people_who_get_the_work_are_told(
    world, django_capture_on_commit_callbacks, action, walk, who
):
    for user in (world.handler, world.head, world.moderator, world.signoff_head):
        user.email = f"{user.username}@example.cn"
        user.save()
    message = walk(world, django_capture_on_commit_callbacks)
    assert heard(message, action) == who
    # In the inbox with a title that names the message, and by e-mail where the user has one.
    event = Event.objects.filter(message=message, action=action).latest("seq")
    for note in Notification.objects.filter(event=event).select_related("recipient"):
        assert message.serial in note.title and note.url
        channels = set(note.deliveries.values_list("channel", flat=True))
        assert (Delivery.Channel.EMAIL in channels) == bool(note.recipient.email)


def test_the_unit_hears_that_its_follow_up_answer_is_due(world):
    m = steps.replied(world)
    question = s.follow_up(message_id=m.pk, actor=world.citizen, body="什么时候修好？", now=MONDAY)
    assert question.answer_by is not None
    sent = send_due_reminders(now=question.answer_by - timedelta(hours=2))
    assert sent["due_soon"] == 1
    note = Notification.objects.get(kind="due_soon")
    assert note.recipient == world.handler and m.serial in note.title
    late = send_due_reminders(now=question.answer_by + timedelta(hours=1))
    assert late["overdue"] == 1
    # Answered questions are not reminded about.
    s.answer_follow_up(follow_up_id=question.pk, actor=world.handler, body="周五前修好。")
    assert send_due_reminders(now=question.answer_by + timedelta(days=3))["overdue"] == 0


def test_a_rejected_author_is_told_the_reason_and_the_explanation(
    world, django_capture_on_commit_callbacks
):
    m = walk_reject(world, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=world.citizen, event__action="reject")
    assert "其他" in note.title or "other" in note.title
    assert "内容不完整" in note.body
    assert mail.outbox == [] and Message.objects.get(pk=m.pk).state == "rejected"


def test_the_inbox_always_gets_it_and_outside_channels_follow_the_persons_choice(
    client, world, django_capture_on_commit_callbacks
):
    world.handler.email = "handler@example.cn"
    world.handler.save()
    client.force_login(world.handler)
    client.post(reverse("notifications:channels"), {"sms": "on"})  # e-mail off
    client.force_login(world.citizen)
    client.post(reverse("notifications:channels"), {"email": "on"})  # texts off
    m = walk_dispatch(world, django_capture_on_commit_callbacks)
    assert heard(m, Action.DISPATCH) == {"handler", "citizen"}
    assert not Delivery.objects.filter(notification__recipient=world.handler).exists()
    assert not Delivery.objects.filter(notification__recipient=world.citizen).exists()
    assert mail.outbox == []
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'name="email" checked' in page and 'name="sms" checked' not in page
