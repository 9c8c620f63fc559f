"""A suggestion campaign end to end in a real browser at phone width (390 px): a citizen files a
suggestion, a moderator screens it, another citizen supports it, the organiser groups themes and
sends it to a unit, the unit adopts it, and the closed campaign's report lists it; along the way
the suggestion is found by the search box and taken away with the page's download form."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from liuyan.campaigns.models import Campaign, Decision, Suggestion

# Playwright's sync API runs an event loop in this thread; the ORM calls between the steps are
# still synchronous and safe (as in tests/desk/conftest.py).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Phone:
    """One person's browser tab at phone width, signed in when a user is given."""

    def __init__(self, browser, live_server, user=None):
        self.base = live_server.url
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN")
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            self.context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        self.page = self.context.new_page()

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        self.fits()
        return self.page

    def fits(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"sideways scroll on {self.page.url}: {width}px"

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.fits()


def test_campaign_from_suggestion_to_adoption_in_the_report(browser, live_server, world):
    now = datetime.now(UTC)
    campaign = Campaign.objects.create(
        title="城市更新建议征集",
        description="请就老旧小区改造提出建议。",
        organiser_board=world.board,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=10),
        support_threshold=1,
        response_days=5,
        created_at=now,
        updated_at=now,
    )
    citizen = Phone(browser, live_server, world.citizen)
    page = citizen.open(reverse("campaigns:list"))
    assert "城市更新建议征集" in page.content()
    citizen.submit("text=城市更新建议征集")
    page.fill("#id_title", "老旧小区加装电梯")
    page.fill("#id_body", "建议简化老旧小区加装电梯的审批流程，我的电话13912345678。")
    citizen.submit("section[aria-labelledby=suggest-title] button[type=submit]")
    suggestion = Suggestion.objects.get(title="老旧小区加装电梯")

    moderator = Phone(browser, live_server, world.moderator)
    page = moderator.open(reverse("campaigns:screen", args=[campaign.pk]))
    page.select_option("#id_verdict", "publish")
    moderator.submit(".screen-item button[type=submit]")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PUBLISHED

    supporter = Phone(browser, live_server, world.other_citizen)
    page = supporter.open(reverse("campaigns:suggestion", args=[suggestion.pk]))
    assert "13912345678" not in page.content()  # masked for the public
    supporter.submit(".supports button[type=submit]")
    assert page.locator(".countdown").count() == 1  # threshold 1: the organiser's clock runs

    page = supporter.open(reverse("campaigns:campaign", args=[campaign.pk]))
    page.fill("#q", "電梯")  # traditional characters find the simplified words
    supporter.submit("form[role=search] button[type=submit]")
    hit = page.locator(".search-results .message-item")
    assert hit.count() == 1 and hit.locator("mark").first.inner_text() == "电梯"
    assert "13912345678" not in page.content()
    with page.expect_download() as public_download:
        page.click("section[aria-labelledby=export-title] button[type=submit]")
    public_csv = Path(public_download.value.path()).read_text(encoding="utf-8-sig")
    assert "老旧小区加装电梯" in public_csv and "13912345678" not in public_csv

    organiser = Phone(browser, live_server, world.leader)
    page = organiser.open(reverse("campaigns:campaign", args=[campaign.pk]))
    page.select_option("#id_format", "jsonl")
    with page.expect_download() as staff_download:
        page.click("section[aria-labelledby=export-title] button[type=submit]")
    staff_jsonl = Path(staff_download.value.path()).read_text(encoding="utf-8")
    assert "13912345678" in staff_jsonl  # the organiser reads the original words
    page = organiser.open(reverse("campaigns:themes", args=[campaign.pk]))
    organiser.submit("form.actions button")
    organiser.submit(".theme-table a")
    page.check(f"input[name=suggestion][value='{suggestion.pk}']")
    page.select_option("#id_unit", str(world.bureau.pk))
    organiser.submit("button[value=send]")
    assert Decision.objects.filter(suggestion=suggestion, unit=world.bureau).exists()

    unit = Phone(browser, live_server, world.handler)
    page = unit.open(reverse("campaigns:decisions"))
    unit.submit("text=老旧小区加装电梯")
    page.select_option("#id_outcome", "adopted")
    page.fill("#id_reason", "建议可行。")
    page.fill("#id_change", "出台加装电梯审批简化办法。")
    unit.submit("form[action$='/decide/'] button")
    assert Decision.objects.get(suggestion=suggestion).outcome == "adopted"

    Campaign.objects.filter(pk=campaign.pk).update(ends_at=now - timedelta(minutes=1))
    reader = Phone(browser, live_server)
    page = reader.open(reverse("campaigns:report", args=[campaign.pk]))
    adopted = page.locator(".adopted-suggestion").inner_text()
    assert "老旧小区加装电梯" in adopted and "出台加装电梯审批简化办法" in adopted
