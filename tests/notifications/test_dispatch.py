"""Who hears about which step: on_event through the task backend, run immediately."""

import logging

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from liuyan.board import services as s
from liuyan.board.models import Event
from liuyan.notifications import dispatch, services
from liuyan.notifications.models import Delivery, Follow, Notification
from tests.conftest import MONDAY

from . import steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def recipients(message, action) -> set:
    event = Event.objects.filter(message=message, action=action).latest("seq")
    return set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def follow(user, message=None, board=None):
    Follow.objects.create(user=user, message=message, board=board, created_at=MONDAY)


def run(django_capture_on_commit_callbacks, step, *args, **kwargs):
    """Run a board step and the on-commit hooks it leaves, as a real commit would."""
    with django_capture_on_commit_callbacks(execute=True):
        return step(*args, **kwargs)


def test_dispatch_tells_author_followers_and_the_units(world, django_capture_on_commit_callbacks):
    m = steps.submitted(world)
    follow(world.other_citizen, board=world.board)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        co_units=[world.other_unit],
        now=MONDAY,
    )
    assert recipients(m, "dispatch") == {"citizen", "citizen2", "handler", "other-handler"}
    kinds = dict(
        Notification.objects.values_list("recipient__username", "kind").filter(
            event__action="dispatch"
        )
    )
    assert kinds["handler"] == kinds["other-handler"] == Notification.Kind.ASSIGNMENT
    assert kinds["citizen"] == Notification.Kind.PROGRESS


def test_private_message_never_reaches_board_followers(world, django_capture_on_commit_callbacks):
    m = steps.submitted(world, is_public=False)
    follow(world.other_citizen, board=world.board)
    follow(world.other_handler, board=world.board)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY,
    )
    assert recipients(m, "dispatch") == {"citizen", "handler"}


def test_a_follower_of_a_message_made_private_hears_nothing(
    world, django_capture_on_commit_callbacks
):
    m = steps.accepted(world)
    follow(world.other_citizen, message=m)
    m.is_public = False
    m.save(update_fields=["is_public"])
    reply = s.submit_reply(
        assignment_id=steps.lead(m).pk, actor=world.handler, body="已处理。", now=MONDAY
    )
    run(
        django_capture_on_commit_callbacks,
        s.approve_reply,
        reply_id=reply.pk,
        actor=world.moderator,
        now=MONDAY,
    )
    assert recipients(m, "approve_reply") == {"citizen"}


def test_published_reply_tells_author_by_app_sms_and_email(
    world, sms_outbox, django_capture_on_commit_callbacks
):
    world.citizen.email = "citizen@example.cn"
    world.citizen.save()
    m = steps.accepted(world)
    reply = s.submit_reply(
        assignment_id=steps.lead(m).pk, actor=world.handler, body="已处理。", now=MONDAY
    )
    run(
        django_capture_on_commit_callbacks,
        s.approve_reply,
        reply_id=reply.pk,
        actor=world.moderator,
        now=MONDAY,
    )
    note = Notification.objects.get(event__action="approve_reply", recipient=world.citizen)
    channels = dict(note.deliveries.values_list("channel", "status"))
    assert channels == {"email": "sent", "sms": "sent"}
    sms = sms_outbox.read_text("utf-8")
    assert world.citizen.phone in sms and m.serial in sms
    assert m.title not in sms  # only the serial: nothing of the text goes by SMS
    assert [message.to for message in mail.outbox] == [["citizen@example.cn"]]
    assert m.serial in mail.outbox[0].subject


def test_board_followers_get_no_texts(world, sms_outbox, django_capture_on_commit_callbacks):
    m = steps.submitted(world)
    follow(world.other_citizen, board=world.board)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY,
    )
    assert world.other_citizen.phone not in sms_outbox.read_text("utf-8")
    assert not Delivery.objects.filter(notification__recipient=world.other_citizen).exists()


def test_transfer_tells_the_sub_unit(world, django_capture_on_commit_callbacks):
    m = steps.dispatched(world)
    run(
        django_capture_on_commit_callbacks,
        s.transfer_assignment,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        to_unit=world.district_office,
        now=MONDAY,
    )
    assert recipients(m, "transfer") == {"sub-handler"}


def test_invited_co_units_are_told(world, django_capture_on_commit_callbacks):
    m = steps.accepted(world)
    run(
        django_capture_on_commit_callbacks,
        s.invite_co_units,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        units=[world.signoff_unit],
        now=MONDAY,
    )
    assert recipients(m, "invite_co") == {"edu-handler"}


def test_a_unit_without_handlers_is_told_through_its_head(
    world, django_capture_on_commit_callbacks
):
    from liuyan.directory.models import Membership, Unit

    unit = Unit.objects.create(name="长沙市水务局", region=world.city)
    Membership.objects.create(user=world.other_citizen, role="head", unit=unit)
    m = steps.submitted(world)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=unit,
        now=MONDAY,
    )
    assert "citizen2" in recipients(m, "dispatch")


def test_return_tells_the_moderators_covering_the_region(world, django_capture_on_commit_callbacks):
    m = steps.dispatched(world)
    run(
        django_capture_on_commit_callbacks,
        s.return_assignment,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        reason="不属于本单位职责",
        now=MONDAY,
    )
    # zz-moderator covers another city only.
    assert recipients(m, "return") == {"moderator"}


def test_unsatisfied_rating_tells_moderators(world, django_capture_on_commit_callbacks):
    m = steps.replied(world)
    run(
        django_capture_on_commit_callbacks,
        s.rate_reply,
        message_id=m.pk,
        actor=world.citizen,
        solved=False,
        attitude=2,
        speed=2,
        now=MONDAY,
    )
    assert recipients(m, "rate_unsatisfied") == {"moderator"}


def test_extension_request_tells_moderators(world, django_capture_on_commit_callbacks):
    m = steps.accepted(world)
    run(
        django_capture_on_commit_callbacks,
        s.request_extension,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        reason="需要现场勘查",
        days=5,
        now=MONDAY,
    )
    assert recipients(m, "request_extension") == {"moderator"}


def test_reopen_tells_the_unit_and_the_author(world, django_capture_on_commit_callbacks):
    m = steps.rated_unsatisfied(world)
    run(
        django_capture_on_commit_callbacks,
        s.reopen_message,
        message_id=m.pk,
        actor=world.moderator,
        now=MONDAY,
    )
    assert recipients(m, "reopen") == {"handler", "citizen"}


def test_nobody_is_told_about_their_own_step(world, django_capture_on_commit_callbacks):
    m = steps.submitted(world)
    follow(world.moderator, message=m)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY,
    )
    assert "moderator" not in recipients(m, "dispatch")


def test_steps_that_tell_nobody_queue_nothing(world, django_capture_on_commit_callbacks):
    m = steps.dispatched(world)
    run(
        django_capture_on_commit_callbacks,
        s.accept_assignment,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        now=MONDAY,
    )
    assert not Notification.objects.filter(event__action="accept").exists()


def test_running_an_event_twice_sends_nothing_twice(world, sms_outbox):
    m = steps.replied(world)  # no on-commit hooks ran: nothing sent yet
    event = Event.objects.get(message=m, action="approve_reply")
    assert services.notify_for_event(event.pk) == 1
    assert services.notify_for_event(event.pk) == 1
    assert Notification.objects.filter(event=event).count() == 1
    assert Delivery.objects.filter(notification__event=event, channel="sms").count() == 1
    assert len(sms_outbox.read_text("utf-8").splitlines()) == 1


def test_a_failing_sms_gateway_is_recorded_and_retried(world, settings):
    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.UnconfiguredSMSBackend"
    m = steps.replied(world)
    services.notify_for_event(Event.objects.get(message=m, action="approve_reply").pk)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "failed" and delivery.attempts == 1 and "gateway" in delivery.error

    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.DevelopmentSMSBackend"
    assert services.retry_failed_deliveries() == {"sent": 1, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_a_broken_queue_does_not_break_the_step(world, caplog):
    m = steps.dispatched(world)
    event = Event.objects.get(message=m, action="dispatch")
    # Nested inside the fixture's override, so both are undone in order.
    broken = {"default": {"BACKEND": "liuyan.nowhere.Backend"}}
    with override_settings(TASKS=broken), caplog.at_level(logging.ERROR):
        dispatch.on_event(event.pk)  # must not raise: the step has already committed
    assert "Could not queue notifications" in caplog.text


def test_each_notification_opens_a_page_its_recipient_can_read(
    world, client, django_capture_on_commit_callbacks
):
    """The citizen's link is the message's public page (by serial), the unit's its assignment,
    the moderator's the message on the moderation desk: never a 404, never just the inbox."""
    m = steps.submitted(world)
    run(
        django_capture_on_commit_callbacks,
        s.dispatch_message,
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY,
    )
    run(
        django_capture_on_commit_callbacks,
        s.return_assignment,
        assignment_id=steps.lead(m).pk,
        actor=world.handler,
        reason="不属于本单位职责",
        now=MONDAY,
    )
    expected = {
        world.citizen: reverse("portal:message", args=[m.serial]),
        world.handler: reverse("desk:assignment", args=[steps.lead(m).pk]),
        world.moderator: reverse("desk:moderate_message", args=[m.pk]),
    }
    for user, url in expected.items():
        note = Notification.objects.filter(message=m, recipient=user).latest("id")
        client.force_login(user)
        opened = client.get(reverse("notifications:open", args=[note.pk]))
        assert opened["Location"] == url
        assert client.get(url).status_code == 200
