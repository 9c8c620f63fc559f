"""A message's life, step by step through the board services, for notification tests."""

from liuyan.board import services as s
from liuyan.board.models import Message
from tests.conftest import MONDAY

BODY = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。"


def submitted(w, **extra) -> Message:
    fields = dict(
        author=w.citizen, board=w.board, type="complaint", title="小区路灯长期不亮", body=BODY
    )
    fields.update(extra)
    return s.submit_message(now=MONDAY, **fields)


def dispatched(w, co_units=(), **extra) -> Message:
    m = submitted(w, **extra)
    s.dispatch_message(
        message_id=m.pk, actor=w.moderator, lead_unit=w.bureau, co_units=co_units, now=MONDAY
    )
    return Message.objects.get(pk=m.pk)


def lead(m):
    return m.assignments.filter(kind="lead").order_by("-id").first()


def accepted(w, **extra) -> Message:
    m = dispatched(w, **extra)
    s.accept_assignment(assignment_id=lead(m).pk, actor=w.handler, now=MONDAY)
    return m


def replied(w, **extra) -> Message:
    m = accepted(w, **extra)
    reply = s.submit_reply(
        assignment_id=lead(m).pk, actor=w.handler, body="经核查，已安排维修。", now=MONDAY
    )
    s.approve_reply(reply_id=reply.pk, actor=w.moderator, now=MONDAY)
    return m


def rated_unsatisfied(w, **extra) -> Message:
    m = replied(w, **extra)
    s.rate_reply(message_id=m.pk, actor=w.citizen, solved=False, attitude=2, speed=2, now=MONDAY)
    return m
