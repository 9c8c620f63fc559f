"""The digest in a real browser at phone width (Debian's Chromium through Playwright): a
moderator compiles and publishes an issue, the city's leader writes a 批示 on its item. No page
scrolls sideways. Screenshots go to test-artifacts/screenshots/digest-*.png."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from liuyan.board import services
from liuyan.board.models import Supervision
from liuyan.reports.digest_models import Digest, ItemInstruction

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the test's own ORM calls between
# page steps are still synchronous (as in tests/desk/conftest.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


def _tab(browser, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"digest-{name}-phone.png"), full_page=True)


def test_moderator_publishes_and_leader_instructs_on_a_phone(world, live_server):
    from playwright.sync_api import sync_playwright

    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="丽景小区污水外溢",
        body="丽景小区污水外溢两个月了，气味很大，影响居民生活，请有关部门尽快处理。",
    )
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    due = timezone.localdate() + timedelta(days=20)
    due += timedelta(days=(2 - due.weekday()) % 7)  # a Wednesday

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = _tab(browser, live_server, world.moderator)
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/reports/digests/")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.click("text=编辑新一期")
        page.select_option("#digest-region", world.city.code)
        page.click("text=以近 7 天为周期新建草稿")
        page.wait_for_selector("text=编辑本期")
        page.click("text=手动添加条目")
        page.fill("input[name=title]", "丽景小区污水外溢两月未解决")
        page.fill("textarea[name=summary]", "居民多次反映污水外溢，至今未解决。")
        page.fill("input[name=serials]", message.serial)
        page.click("form[action$='/items/'] button")
        page.wait_for_selector("h3:has-text('丽景小区污水外溢两月未解决')")
        page.click("text=印发并送本地区领导")
        page.wait_for_selector("text=第1期")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _shot(page, "published")
        digest = Digest.objects.get()
        assert digest.number == 1

        page = _tab(browser, live_server, world.leader)
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/reports/digests/{digest.pk}/")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.click(".instruct-panel summary")
        page.fill(".instruct-panel textarea[name=body]", "请市住建局牵头，两周内解决。")
        page.select_option(".instruct-panel select[name=units]", [str(world.bureau.pk)])
        page.fill(".instruct-panel input[name=due]", due.isoformat())
        page.click(".instruct-panel button")
        page.wait_for_selector(".instruction:has-text('请市住建局牵头')")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        _shot(page, "instructed")
        browser.close()

    assert ItemInstruction.objects.get().body == "请市住建局牵头，两周内解决。"
    assert Supervision.objects.filter(message=message, resolved_at=None).count() == 1
