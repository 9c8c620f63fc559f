"""Each person finds the work that landed on them in the inbox (消息通知), at phone width.

One browser, one message: the moderator dispatches it, the leader writes an instruction, the
handler (told of both) accepts and replies, the head (told a reply waits) signs off, the
moderator publishes; the citizen (told it is answered) asks a follow-up, the leader hears the
outcome of the instruction, the handler answers the follow-up, the moderator (told an answer
waits) publishes it and the citizen reads it. Every step confirms itself on the page.
Notifications are made as soon as each step commits (the immediate task backend), as the
worker beside `make demo` does within a second.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from liuyan.board.models import FollowUp, Reply
from liuyan.core.lifecycle import FollowUpState, ReplyState, State
from tests.desk.conftest import REPLY, submit
from tests.desk.test_desk_browser import ARGS, CHROMIUM

PHONE = {"width": 390, "height": 844}
QUESTION = "路灯修好后第二天又不亮了，请问什么时候能彻底修好？"
ANSWER = "经复查为线路接头松动，已于今日重新接线，并将在一周后回访。"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Person:
    """One signed-in person's phone-sized tab on the live server."""

    def __init__(self, browser, live_server, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.base = live_server.url
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN")
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        self.page = self.context.new_page()

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        return self.page

    def submit(self, selector: str) -> str:
        """Click a form's button and return the confirmation the next page shows."""
        with self.page.expect_navigation():
            self.page.click(selector)
        return self.page.locator(".messages").inner_text()

    def inbox_has(self, *words: str) -> None:
        """The inbox lists a notification whose text holds all `words`."""
        self.open(reverse("notifications:inbox"))
        items = self.page.locator("#notification-list li").all_inner_texts()
        assert any(all(word in item for word in words) for item in items), (words, items)


@pytest.mark.usefixtures("immediate_tasks")
def test_every_role_finds_its_work_in_the_inbox_at_phone_width(chromium, live_server, world):
    message = submit(world)
    serial = message.serial
    citizen = Person(chromium, live_server, world.citizen)
    moderator = Person(chromium, live_server, world.moderator)
    leader = Person(chromium, live_server, world.leader)
    handler = Person(chromium, live_server, world.signoff_handler)
    head = Person(chromium, live_server, world.signoff_head)

    page = moderator.open(reverse("desk:moderate_message", args=[message.pk]))
    page.select_option("#id_lead_unit", str(world.signoff_unit.pk))
    assert "已交办" in moderator.submit("section[aria-labelledby=dispatch-h] button")

    page = leader.open(reverse("desk:leader_message", args=[message.pk]))
    page.fill("#id_body", "请教育局尽快核实解决，并答复群众。")
    leader.submit("form[action$='/instruct/'] button")

    handler.inbox_has(serial, "交办")
    handler.inbox_has(serial, "批示")
    assignment = message.assignments.get(kind="lead")
    page = handler.open(reverse("desk:assignment", args=[assignment.pk]))
    assert "签收" in handler.submit("#accept")
    page.fill("#id_body", REPLY)
    handler.submit("#submit-reply")

    head.inbox_has(serial, "签发")
    head.open(reverse("desk:assignment", args=[assignment.pk]))
    assert "签发" in head.submit("#sign-off")

    reply = Reply.objects.get(message=message)
    moderator.open(reverse("desk:review_reply", args=[reply.pk]))
    moderator.submit("#approve-reply")
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.PUBLISHED

    citizen.inbox_has(serial, "已答复")
    leader.inbox_has(serial, "已答复")  # the outcome of the leader's instruction
    page = citizen.open(reverse("portal:message", args=[serial]))
    page.fill("#id_follow_up-body", QUESTION)
    with page.expect_navigation():
        page.click("#follow-up button")

    handler.inbox_has(serial, "追问")
    question = FollowUp.objects.get(message=message)
    page = handler.open(reverse("desk:assignment", args=[assignment.pk]))
    assert QUESTION in page.content()
    page.fill(f"#answer-{question.pk}", ANSWER)
    assert "审核" in handler.submit(f"#follow-up-{question.pk} button")

    moderator.inbox_has(serial, "追问")
    moderator.open(reverse("desk:moderate_message", args=[message.pk]))
    moderator.submit(f"#approve-follow-up-{question.pk}")
    assert FollowUp.objects.get(pk=question.pk).state == FollowUpState.PUBLISHED

    citizen.inbox_has(serial, "追问已获答复")
    page = citizen.open(reverse("portal:message", args=[serial]))
    assert ANSWER in page.content()
    message.refresh_from_db()
    assert message.state == State.REPLIED
