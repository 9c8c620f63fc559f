"""A signed reply that moderators sent back and the unit signed again: the public timeline
says 单位负责人签发答复 once, and the published reply no longer carries the old return reason."""

from datetime import timedelta

from django.urls import reverse

from liuyan.board import services

SIGN_OFF_WORDS = "单位负责人签发答复"
OLD_REASON = "答复过于笼统，请写明维修时间"


def _signed_sent_back_and_published(make, world):
    message = make.dispatched(unit=world.signoff_unit)
    assignment = message.assignments.get()
    at = message.submitted_at + timedelta(hours=3)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.signoff_handler, now=at)
    reply = services.submit_reply(
        assignment_id=assignment.pk, actor=world.signoff_handler, body="已安排维修。", now=at
    )
    services.sign_off_reply(reply_id=reply.pk, actor=world.signoff_head, now=at)
    services.return_reply(reply_id=reply.pk, actor=world.moderator, reason=OLD_REASON, now=at)
    reply = services.submit_reply(
        assignment_id=assignment.pk,
        actor=world.signoff_handler,
        body="已安排维修队于本周三更换线路，周四恢复照明。",
        now=at + timedelta(hours=1),
    )
    services.sign_off_reply(reply_id=reply.pk, actor=world.signoff_head, now=at)
    services.approve_reply(reply_id=reply.pk, actor=world.moderator, now=at + timedelta(hours=2))
    message.refresh_from_db()
    return message


def test_public_timeline_shows_the_sign_off_once(client, world, make):
    message = _signed_sent_back_and_published(make, world)
    page = client.get(reverse("portal:message", args=[message.serial])).content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert timeline.count(SIGN_OFF_WORDS) == 1


def test_the_published_reply_is_not_labelled_with_the_old_return_reason(client, world, make):
    message = _signed_sent_back_and_published(make, world)
    client.force_login(world.moderator)
    page = client.get(reverse("desk:moderate_message", args=[message.pk])).content.decode()
    assert OLD_REASON not in page.split("What happened")[0].split("办理记录")[0]
