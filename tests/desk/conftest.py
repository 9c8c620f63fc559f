"""Desk fixtures: one object of every kind the desk shows, spread over the world's units,
boards and regions, so that every role can be tried against every page."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to be
# called from it ("async unsafe") although the calls are in fact synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BODY = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。我的电话13912345678。"
REPLY = "经核查，路灯线路老化，我局已安排维修队于本周内更换线路并恢复照明，请您监督。"


def submit(w, *, board=None, author=None, title="小区路灯长期不亮", **extra):
    from liuyan.board import services

    return services.submit_message(
        author=author or w.citizen,
        board=board or w.board,
        type="complaint",
        title=title,
        body=BODY,
        **extra,
    )


def dispatch(w, message, unit, *, actor=None, co_units=()):
    from liuyan.board import services

    services.dispatch_message(
        message_id=message.pk, actor=actor or w.moderator, lead_unit=unit, co_units=co_units
    )
    return message.assignments.filter(kind="lead").order_by("-id").first()


@dataclass
class Objects:
    new_city: object  # waiting for screening, city board
    new_other: object  # waiting for screening, other city's board
    returned: object  # returned by the bureau as misrouted
    pending: object  # assignment: bureau, waiting for acceptance
    accepted: object  # assignment: bureau, accepted, with an extension request
    extension: object
    reviewing: object  # reply of the bureau under review
    sub_pending: object  # assignment: district office (sub-unit of the bureau)
    other_pending: object  # assignment: the other city's unit
    other_reviewing: object  # reply of the other city's unit under review
    signoff_reply: object  # reply in the sign-off unit awaiting the head
    lookback: object  # rated unsatisfied: under look-back
    supervision: object  # on `accepted`'s message
    other_supervision: object  # on the other city's message
    hotline: object  # entered by the operator
    template: object  # a reply template of the bureau
    attachment: object  # a file on the bureau's reply under review
    follow_up: object  # the citizen's follow-up on `lookback`, owed by the bureau
    follow_up_answered: object  # another one, answered by the bureau, under review


@pytest.fixture
def objects(world) -> Objects:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liuyan.board import services
    from liuyan.board.access import staff_scope
    from liuyan.desk import services as desk_services

    w = world
    new_city = submit(w)
    new_other = submit(w, board=w.other_board)

    returned = submit(w, title="返回的留言标题")
    a = dispatch(w, returned, w.bureau)
    services.return_assignment(assignment_id=a.pk, actor=w.handler, reason="不属于本单位职责")

    pending = dispatch(w, submit(w), w.bureau)

    accepted = dispatch(w, submit(w), w.bureau)
    services.accept_assignment(assignment_id=accepted.pk, actor=w.handler)
    extension = services.request_extension(
        assignment_id=accepted.pk, actor=w.handler, reason="需要现场勘查", days=5
    )

    reviewing_a = dispatch(w, submit(w), w.bureau)
    services.accept_assignment(assignment_id=reviewing_a.pk, actor=w.handler)
    draft = services.save_reply_draft(assignment_id=reviewing_a.pk, actor=w.handler, body=REPLY)
    png = SimpleUploadedFile("photo.png", _png_bytes(), content_type="image/png")
    attachment = desk_services.attach_to_reply(reply=draft, upload=png, actor=w.handler)
    reviewing = services.submit_reply(assignment_id=reviewing_a.pk, actor=w.handler)

    top = dispatch(w, submit(w), w.bureau)
    sub_pending = services.transfer_assignment(
        assignment_id=top.pk, actor=w.handler, to_unit=w.district_office
    )

    other_message = submit(w, board=w.other_board)
    other_pending = dispatch(w, other_message, w.other_unit)
    other_b = dispatch(w, submit(w, board=w.other_board), w.other_unit)
    services.accept_assignment(assignment_id=other_b.pk, actor=w.other_handler)
    other_reviewing = services.submit_reply(
        assignment_id=other_b.pk, actor=w.other_handler, body=REPLY
    )

    s = dispatch(w, submit(w), w.signoff_unit)
    services.accept_assignment(assignment_id=s.pk, actor=w.signoff_handler)
    signoff_reply = services.submit_reply(assignment_id=s.pk, actor=w.signoff_handler, body=REPLY)

    lb = dispatch(w, submit(w), w.bureau)
    services.accept_assignment(assignment_id=lb.pk, actor=w.handler)
    lb_reply = services.submit_reply(assignment_id=lb.pk, actor=w.handler, body=REPLY)
    services.approve_reply(reply_id=lb_reply.pk, actor=w.moderator)
    services.rate_reply(
        message_id=lb.message_id, actor=w.citizen, solved=False, attitude=2, speed=2
    )

    follow_up = services.follow_up(message_id=lb.message_id, actor=w.citizen, body="什么时候修好？")
    follow_up_answered = services.follow_up(
        message_id=lb.message_id, actor=w.citizen, body="修好后还会再坏吗？"
    )
    services.answer_follow_up(
        follow_up_id=follow_up_answered.pk, actor=w.handler, body="已更换全部线路。"
    )

    supervision = services.supervise(
        message_id=accepted.message_id, actor=w.moderator, level="supervision"
    )
    other_supervision = services.supervise(
        message_id=other_message.pk, actor=w.moderator, level="reminder"
    )
    hotline = submit(
        w,
        author=None,
        entered_by=w.operator,
        channel="hotline",
        contact={"name": "王先生", "phone": "13800001111"},
    )
    template = desk_services.save_reply_template(
        scope=staff_scope(w.head),
        unit_id=w.bureau.pk,
        title="路灯维修",
        body="您反映的路灯问题，我局已安排维修。",
    )
    return Objects(
        new_city=new_city,
        new_other=new_other,
        returned=returned,
        pending=pending,
        accepted=accepted,
        extension=extension,
        reviewing=reviewing,
        sub_pending=sub_pending,
        other_pending=other_pending,
        other_reviewing=other_reviewing,
        signoff_reply=signoff_reply,
        lookback=lb.message,
        supervision=supervision,
        other_supervision=other_supervision,
        hotline=hotline,
        template=template,
        attachment=attachment,
        follow_up=follow_up,
        follow_up_answered=follow_up_answered,
    )


def _png_bytes(size=(8, 8)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_similarity_index():
    """The similarity index lives per process; each test starts from its own messages."""
    from liuyan.board.similarity import forget_index

    forget_index()
    yield
    forget_index()
