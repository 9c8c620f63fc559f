"""The whole desk round trip in a real browser (Debian's Chromium through Playwright).

A moderator dispatches → the handler accepts and replies → the head signs off → the moderator
sends it back once → the handler fixes it (and the head signs again) → the moderator approves →
the citizen sees the reply. Screenshots of each desk page at phone and desktop widths go to
test-artifacts/screenshots/desk-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from liuyan.board.models import Message, Reply
from liuyan.core.lifecycle import ReplyState, State
from tests.desk.conftest import submit

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIRST_REPLY = "您好，关于小区路灯问题，我局已安排人员到现场查看。"
FIXED_REPLY = (
    "您好，经现场核查，小区门口两盏路灯因线路老化损坏，我局已于本周更换线路并恢复照明。"
    "今后请拨打12345反映类似问题。"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Desk:
    """One signed-in person's browser tab on the live server."""

    def __init__(self, browser, live_server, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.base = live_server.url
        self.context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        self.page = self.context.new_page()

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        return self.page

    def shoot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(SHOTS / f"desk-{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def click_and_wait(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)


def _reply(message) -> Reply:
    return Reply.objects.filter(message=message).order_by("-id").first()


def test_round_trip_from_dispatch_to_the_published_reply(browser, live_server, world):
    message = submit(world)  # a public message to the city board
    moderator = Desk(browser, live_server, world.moderator)
    handler = Desk(browser, live_server, world.signoff_handler)
    head = Desk(browser, live_server, world.signoff_head)

    moderator.open(reverse("desk:screening"))
    assert message.serial in moderator.page.content()
    moderator.shoot("moderator-screening")
    page = moderator.open(reverse("desk:moderate_message", args=[message.pk]))
    assert page.locator("mark.pii").first.inner_text() == "13912345678"
    moderator.shoot("moderator-message")
    page.select_option("#id_lead_unit", str(world.signoff_unit.pk))
    moderator.click_and_wait("section[aria-labelledby=dispatch-h] button")
    message.refresh_from_db()
    assert message.state == State.DISPATCHED

    handler.open(reverse("desk:inbox"))
    handler.shoot("unit-inbox")
    assignment = message.assignments.get(kind="lead")
    page = handler.open(reverse("desk:assignment", args=[assignment.pk]))
    handler.click_and_wait("#accept")
    page.fill("#id_body", FIRST_REPLY)
    handler.shoot("unit-assignment")
    handler.click_and_wait("#submit-reply")
    assert _reply(message).state == ReplyState.AWAITING_SIGNOFF

    head.open(reverse("desk:signoff_queue"))
    head.shoot("unit-signoff")
    head.open(reverse("desk:assignment", args=[assignment.pk]))
    head.click_and_wait("#sign-off")
    assert _reply(message).state == ReplyState.UNDER_REVIEW

    moderator.open(reverse("desk:reply_queue"))
    moderator.shoot("moderator-replies")
    page = moderator.open(reverse("desk:review_reply", args=[_reply(message).pk]))
    moderator.shoot("moderator-review")
    page.click("text=退回单位重办")
    page.fill("#id_reason", "请写明维修完成时间和结果。")
    moderator.click_and_wait("#return-reply")
    assert _reply(message).state == ReplyState.RETURNED

    page = handler.open(reverse("desk:assignment", args=[assignment.pk]))
    assert "请写明维修完成时间和结果。" in page.content()
    page.fill("#id_body", FIXED_REPLY)
    handler.click_and_wait("#submit-reply")
    head.open(reverse("desk:assignment", args=[assignment.pk]))
    head.click_and_wait("#sign-off")

    moderator.open(reverse("desk:review_reply", args=[_reply(message).pk]))
    moderator.click_and_wait("#approve-reply")
    message.refresh_from_db()
    assert message.state == State.REPLIED
    assert _reply(message).body == FIXED_REPLY

    _citizen_sees_the_reply(browser, live_server, message)


def _citizen_sees_the_reply(browser, live_server, message: Message) -> None:
    try:
        path = reverse("portal:message", args=[message.serial])
    except NoReverseMatch:  # the portal page is not there yet: the model says it is public
        assert Reply.objects.get(message=message, state=ReplyState.PUBLISHED).body == FIXED_REPLY
        return
    page = browser.new_context(viewport=PHONE).new_page()
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert "经现场核查" in page.content()


def test_other_desk_pages_render_at_both_widths(browser, live_server, world):
    from tests.desk.conftest import dispatch

    m = submit(world)
    dispatch(world, m, world.bureau)
    leader = Desk(browser, live_server, world.leader)
    leader.open(reverse("desk:leader"))
    leader.page.wait_for_selector("#weekly-chart canvas", timeout=5000)  # ECharts drew it
    leader.shoot("leader-overview")
    leader.open(reverse("desk:leader_message", args=[m.pk]))
    leader.shoot("leader-message")
    operator = Desk(browser, live_server, world.operator)
    operator.open(reverse("desk:operator_new"))
    operator.shoot("operator-new")
    head = Desk(browser, live_server, world.head)
    head.open(reverse("desk:templates"))
    head.shoot("unit-templates")
    # Nothing may be wider than a phone screen.
    head.page.set_viewport_size(PHONE)
    for path in (reverse("desk:inbox"), reverse("desk:templates")):
        head.open(path)
        width = head.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], path
