"""The hotline console: entry during a call, the caller's history by number, the serial by SMS,
urgent calls sent straight to a unit; and a message from mail and one from the hotline end in
the same moderator queue with their channels shown."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from liuyan.board.models import Message
from liuyan.channels import hotline
from liuyan.core import lifecycle
from tests.channels.test_mailbox import BOARD_ADDRESS, letter

pytestmark = pytest.mark.django_db

BODY = "村口的桥塌了一半，孩子们上学要绕很远的路，请尽快派人来看看。来电人电话13912345678。"


@pytest.fixture
def sms_outbox(settings, tmp_path):
    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.DevelopmentSMSBackend"
    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return tmp_path / "sms-outbox.log"


def form(world, **extra):
    data = {
        "caller_phone": "13912345678",
        "caller_name": "李四",
        "region": f"{world.county.code} {world.county.name}",
        "board": world.board.pk,
        "type": "help",
        "title": "村口的桥塌了一半",
        "body": BODY,
    }
    data.update(extra)
    return data


def test_console_enters_the_call_and_texts_the_serial(client, world, sms_outbox):
    client.force_login(world.operator)
    response = client.post(reverse("desk:operator_new"), form(world))
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.channel == Message.Channel.HOTLINE and message.entered_by == world.operator
    assert message.region == world.county
    assert message.contact.phone == "13912345678"
    assert "13912345678" not in message.public_body
    sms = sms_outbox.read_text("utf-8")
    assert "13912345678" in sms and message.serial in sms


def test_callers_earlier_messages_show_when_the_number_is_typed(client, world, sms_outbox):
    client.force_login(world.operator)
    client.post(reverse("desk:operator_new"), form(world))
    first = Message.objects.get()
    response = client.get(reverse("desk:operator_caller"), {"caller_phone": "139 1234 5678"})
    assert first.serial in response.content.decode()
    response = client.get(reverse("desk:operator_caller"), {"caller_phone": "13800000000"})
    assert first.serial not in response.content.decode()
    # The region box offers regions by what was typed.
    response = client.get(reverse("desk:operator_regions"), {"region": world.county.name[:2]})
    assert world.county.code in response.content.decode()


def test_urgent_call_goes_straight_to_the_unit(client, world, sms_outbox):
    client.force_login(world.operator)
    extra = {"is_urgent": "on", "transfer_to": world.bureau.pk, "is_public": "on"}
    response = client.post(reverse("desk:operator_new"), form(world, **extra))
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.state == lifecycle.State.DISPATCHED and not message.is_public
    assignment = message.assignments.get()
    assert assignment.unit == world.bureau
    assert [e.action for e in message.events.all()] == ["submit", "urgent_dispatch"]
    # Urgent deadlines: accepted the same working day (not in five working days).
    assert assignment.accept_by - message.submitted_at < timedelta(days=4)


def test_transfer_needs_an_urgent_call(client, world, sms_outbox):
    client.force_login(world.operator)
    response = client.post(reverse("desk:operator_new"), form(world, transfer_to=world.bureau.pk))
    assert response.status_code == 200 and not Message.objects.exists()


def test_operator_may_not_send_others_calls_on(world, sms_outbox):
    from liuyan.board import services

    other = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="help",
        title="村口的桥塌了一半",
        body=BODY,
        is_urgent=True,
    )
    with translation.override("en"), pytest.raises(ValidationError, match="entered themselves"):
        services.dispatch_urgent_call(
            message_id=other.pk, actor=world.operator, lead_unit=world.bureau
        )


def test_mail_and_hotline_end_in_the_same_moderator_queue_with_their_channel(
    client, world, sms_outbox, tmp_path
):
    world.board.email = BOARD_ADDRESS
    world.board.save()
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "1.eml").write_bytes(letter())
    call_command("mailbox", "folder", str(tmp_path / "mail"))
    hotline.enter_call(
        operator=world.operator,
        board=world.board,
        type="help",
        title="村口的桥塌了一半",
        body=BODY,
        caller_phone="13912345678",
    )
    client.force_login(world.moderator)
    page = client.get(reverse("desk:screening")).content.decode()
    for message in Message.objects.all():
        assert message.serial in page
    assert page.count("信箱") >= 1 and page.count("热线电话") >= 1
