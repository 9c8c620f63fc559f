"""A repeated or stale POST of a staff action changes nothing and says so; a first one moves
the page on and confirms what was done.

The forms are posted as the browser posts them: with the hidden fields the page rendered
(a double click, the back button and "submit again", or a page left open while a colleague
acted).
"""

import re

import pytest
from django.urls import reverse

from liuyan.board import services
from liuyan.board.models import Event
from liuyan.core.lifecycle import TransitionRefused
from liuyan.notifications.models import Notification
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form that posts to `action` on the rendered page."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    return {name: value for name, value in fields if name != "csrfmiddlewaretoken"}


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def post_twice(client, page_url: str, action: str, data: dict, capture):
    page = client.get(page_url).content.decode()
    data = {**data, **hidden_fields(page, action)}
    with capture(execute=True):
        first = client.post(action, data, follow=True)
    with capture(execute=True):
        second = client.post(action, data, follow=True)
    return first, second


def test_a_second_dispatch_submit_does_nothing_and_says_so(
    client, world, django_capture_on_commit_callbacks
):
    message = submit(world)
    client.force_login(world.moderator)
    first, second = post_twice(
        client,
        reverse("desk:moderate_message", args=[message.pk]),
        reverse("desk:dispatch", args=[message.pk]),
        {"lead_unit": world.bureau.pk, "note": ""},
        django_capture_on_commit_callbacks,
    )
    actions = list(Event.objects.filter(message=message).values_list("action", flat=True))
    assert actions.count("dispatch") == 1 and "redispatch" not in actions
    assert message.assignments.count() == 1
    assert Notification.objects.filter(recipient=world.handler).count() == 1
    assert first.redirect_chain[-1][0] == reverse("desk:screening")
    assert any("已交办" in text for text in said(first))
    assert any("已经" in text and "未作任何改动" in text for text in said(second))


def test_a_second_listed_supervision_submit_orders_nothing_more(
    client, world, django_capture_on_commit_callbacks
):
    message = submit(world)
    dispatch(world, message, world.bureau)
    client.force_login(world.moderator)
    first, second = post_twice(
        client,
        reverse("desk:moderate_message", args=[message.pk]),
        reverse("desk:supervise", args=[message.pk]),
        {"level": "listed", "note": "请抓紧"},
        django_capture_on_commit_callbacks,
    )
    assert message.supervisions.count() == 1
    assert any("挂牌督办" in text for text in said(first))
    assert any("未作任何改动" in text for text in said(second))


def test_repeated_accept_reply_signoff_and_approve_do_nothing_more(
    client, world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    message = submit(world)
    assignment = dispatch(world, message, world.signoff_unit)
    client.force_login(world.signoff_handler)
    page = reverse("desk:assignment", args=[assignment.pk])

    first, second = post_twice(
        client, page, reverse("desk:accept", args=[assignment.pk]), {}, capture
    )
    assert any("已签收" in text for text in said(first))
    assert any("未作任何改动" in text for text in said(second))

    reply_url = reverse("desk:write_reply", args=[assignment.pk])
    first, second = post_twice(client, page, reply_url, {"body": REPLY, "submit": "1"}, capture)
    assert any("未作任何改动" in text for text in said(second))
    reply = message.replies.get()

    client.force_login(world.signoff_head)
    first, second = post_twice(client, page, reverse("desk:sign_off", args=[reply.pk]), {}, capture)
    assert any("已签发" in text for text in said(first))
    assert any("未作任何改动" in text for text in said(second))

    client.force_login(world.moderator)
    first, second = post_twice(
        client,
        reverse("desk:review_reply", args=[reply.pk]),
        reverse("desk:approve_reply", args=[reply.pk]),
        {},
        capture,
    )
    assert any("未作任何改动" in text for text in said(second))

    counts = {
        action: Event.objects.filter(message=message, action=action).count()
        for action in ("accept", "submit_for_signoff", "sign_off", "approve_reply")
    }
    assert counts == {"accept": 1, "submit_for_signoff": 1, "sign_off": 1, "approve_reply": 1}
    # The head heard once that the reply waited; the citizen once that it was answered.
    assert Notification.objects.filter(recipient=world.signoff_head).count() == 1
    assert (
        Notification.objects.filter(recipient=world.citizen, event__action="approve_reply").count()
        == 1
    )
    # The service itself refuses the repeat, whoever calls it.
    with pytest.raises(TransitionRefused):
        services.approve_reply(reply_id=reply.pk, actor=world.moderator)
