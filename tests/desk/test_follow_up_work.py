"""A follow-up question (追问) is real work: the unit that replied sees its text and deadline,
answers it, a moderator reviews the answer, and the public reads it under the question."""

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board import services
from liuyan.board.models import Event, FollowUp
from liuyan.core.lifecycle import FollowUpState
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = pytest.mark.django_db

QUESTION = "路灯修好后又坏了，什么时候能彻底修好？"
ANSWER = "经复查为线路老化，已于本周更换全部线路，请您继续监督。"


def replied(w):
    message = submit(w)
    assignment = dispatch(w, message, w.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=w.handler)
    reply = services.submit_reply(assignment_id=assignment.pk, actor=w.handler, body=REPLY)
    services.approve_reply(reply_id=reply.pk, actor=w.moderator)
    return message, assignment


def test_a_follow_up_is_answered_by_the_unit_reviewed_and_published(client, world):
    message, assignment = replied(world)

    client.force_login(world.citizen)
    client.post(reverse("portal:follow_up", args=[message.serial]), {"follow_up-body": QUESTION})
    question = FollowUp.objects.get(message=message)
    assert question.assignment == assignment and question.answer_by is not None

    # The unit sees the question, with its text and deadline, in its inbox and on the assignment.
    client.force_login(world.handler)
    inbox = client.get(reverse("desk:inbox")).content.decode()
    assert "inbox-follow-ups" in inbox and message.serial in inbox
    page = client.get(reverse("desk:assignment", args=[assignment.pk])).content.decode()
    assert QUESTION in page and timezone.localtime(question.answer_by).strftime("%Y-%m-%d") in page
    assert reverse("desk:answer_follow_up", args=[question.pk]) in page
    response = client.post(
        reverse("desk:answer_follow_up", args=[question.pk]), {"answer": ANSWER}, follow=True
    )
    assert any("审核" in str(m) for m in response.context["messages"])
    question.refresh_from_db()
    assert question.state == FollowUpState.UNDER_REVIEW

    # Not public until a moderator approves it.
    client.logout()
    assert (
        ANSWER not in client.get(reverse("portal:message", args=[message.serial])).content.decode()
    )

    client.force_login(world.moderator)
    queue = client.get(reverse("desk:reply_queue")).content.decode()
    assert "follow-up-answers" in queue and message.serial in queue
    client.post(reverse("desk:review_follow_up", args=[question.pk]), {"decision": "approve"})
    question.refresh_from_db()
    assert question.state == FollowUpState.PUBLISHED

    client.logout()
    public = client.get(reverse("portal:message", args=[message.serial])).content.decode()
    assert public.index(QUESTION) < public.index(ANSWER)
    actions = list(Event.objects.filter(message=message).values_list("action", flat=True))
    assert actions[-3:] == ["follow_up", "answer_follow_up", "approve_fu_answer"]


def test_a_returned_answer_goes_back_to_the_unit_with_the_reason(client, world):
    message, assignment = replied(world)
    question = services.follow_up(message_id=message.pk, actor=world.citizen, body=QUESTION)
    services.answer_follow_up(follow_up_id=question.pk, actor=world.handler, body="会修的。")
    client.force_login(world.moderator)
    client.post(
        reverse("desk:review_follow_up", args=[question.pk]),
        {"decision": "return", "reason": "请说明具体完成时间"},
    )
    question.refresh_from_db()
    assert question.state == FollowUpState.RETURNED
    client.force_login(world.handler)
    page = client.get(reverse("desk:assignment", args=[assignment.pk])).content.decode()
    assert "请说明具体完成时间" in page
    assert reverse("desk:answer_follow_up", args=[question.pk]) in page


def test_another_unit_cannot_answer(client, world):
    message, _assignment = replied(world)
    question = services.follow_up(message_id=message.pk, actor=world.citizen, body=QUESTION)
    client.force_login(world.other_handler)
    response = client.post(reverse("desk:answer_follow_up", args=[question.pk]), {"answer": ANSWER})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.state == FollowUpState.WAITING
