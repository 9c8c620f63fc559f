"""Every page type in Chromium under the site's Content-Security-Policy: not one violation.

Violations are caught two ways: the `securitypolicyviolation` event (an init script, which the
policy does not govern, records each one in the page), and Chromium's console message
("Refused to execute inline script because it violates the following Content Security Policy
directive ..."). The pages are also driven a little where their scripts do something: the
duplicate form's serial search swaps results in with htmx and its "Use" button fills the
field; the leader's chart draws; the write form's preview arms the send-once guard.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",  # the sandbox does not work as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
    (e.sourceFile || document.location.pathname) + ":" + e.lineNumber + " " + (e.sample || "")
  );
});
"""

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


class Tab:
    """One person's tab; collects every CSP violation of every page it opens."""

    def __init__(self, browser, live_server, user=None):
        self.base = live_server.url
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            self.context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": self.base}]
            )
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.violations: list[str] = []
        self.page.on("console", self._console)
        self.headers: dict[str, str] = {}

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")

    def open(self, path: str, *, status: int = 200):
        self.collect()
        response = self.page.goto(self.base + path)
        assert response.status == status, path
        self.headers = response.headers
        self.page.wait_for_load_state("networkidle")
        return self.page

    def collect(self) -> None:
        """Move the page's recorded violations into the list (before it navigates away)."""
        try:
            found = self.page.evaluate("window.__cspViolations || []")
        except Exception:
            return
        self.violations += [f"{self.page.url}: {text}" for text in found]
        self.page.evaluate("window.__cspViolations = []")


def _policy(headers: dict[str, str]) -> dict[str, list[str]]:
    text = headers.get("content-security-policy", "")
    directives = (part.strip().split() for part in text.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def test_the_policy_is_strict(client, world):
    """The header is there and allows no inline script (fails where the site sends none)."""
    response = client.get("/")
    policy = _policy({k.lower(): v for k, v in response.headers.items()})
    assert policy.get("default-src") == ["'self'"]
    assert policy.get("script-src") == ["'self'"]
    assert policy.get("style-src") == ["'self'"]
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("base-uri") == ["'self'"]
    assert policy.get("form-action") == ["'self'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    for directive, sources in policy.items():  # style-src-attr, script-src-elem, ... too
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, directive


def _public_message(world, o):
    """A public message with a published reply (the look-back one was replied and rated)."""
    return o.lookback


def test_no_page_violates_the_policy(browser, live_server, world, objects):
    from liuyan.directory.models import Domain

    o = objects
    top = Domain.objects.create(name="城乡建设", level=1)
    domain = Domain.objects.create(name="市政设施", level=2, parent=top)
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    tabs = []

    anonymous = Tab(browser, live_server)
    tabs.append(anonymous)
    for path in (
        "/",
        "/boards/",
        f"/boards/?region={world.city.pk}",
        f"/boards/{world.board.pk}/",
        f"/messages/{_public_message(world, o).serial}/",
        "/search/?q=路灯",
        reverse("reports:hot_public"),
        reverse("accounts:login"),
        reverse("accounts:password_login"),
        reverse("accounts:staff_login"),
    ):
        anonymous.open(path)
    policy = _policy(anonymous.headers)
    assert policy.get("script-src") == ["'self'"], "the site sends its policy"
    anonymous.open("/messages/20990101000001/", status=404)

    citizen = Tab(browser, live_server, world.citizen)
    tabs.append(citizen)
    for path in ("/my/messages/", reverse("notifications:inbox"), reverse("accounts:profile")):
        citizen.open(path)
    citizen.open(f"/messages/{o.lookback.serial}/")
    page = citizen.open(f"{reverse('portal:write')}?board={world.board.pk}")
    page.locator("input[name=type][value=complaint]").check()
    page.locator("select[name=domain]").select_option(str(domain.pk))
    page.locator("input[name=title]").fill("星沙街道路灯损坏请维修")
    page.locator("textarea[name=body]").fill(
        "星沙街道开元路的路灯已经坏了一个多月，晚上行人和车辆都很危险，请有关部门尽快修理。"
    )
    page.locator("input[name=contact_phone]").fill("13700000009")
    with page.expect_navigation():
        page.locator("button[name=step][value=preview]").click()
    page.wait_for_selector("form.send-form")
    citizen.collect()

    moderator = Tab(browser, live_server, world.moderator)
    tabs.append(moderator)
    for name in ("screening", "returned", "reply_queue", "extensions", "lookback", "supervision"):
        moderator.open(reverse(f"desk:{name}"))
    moderator.open(reverse("desk:overdue") + "?kind=reply")
    moderator.open(reverse("desk:serial_search") + "?q=2026")
    moderator.open(reverse("desk:review_reply", args=[o.reviewing.pk]))
    moderator.open(reverse("desk:moderate_message", args=[o.lookback.pk]))
    page = moderator.open(reverse("desk:moderate_message", args=[o.new_city.pk]))
    # The duplicate form: typing searches (htmx swaps the results in), "Use" fills the field.
    page.locator("details.action-panel summary", has_text="重复").first.click()
    field = page.locator("#id_original_serial")
    field.press_sequentially(o.pending.message.serial[:8], delay=20)
    found = page.locator("#serial-results li a").first
    found.wait_for(timeout=5000)
    chosen = found.inner_text().strip()
    field.fill("")
    page.locator("#serial-results li button").first.click()
    serial_filled = field.input_value() == chosen
    moderator.open(reverse("reports:hot"))

    handler = Tab(browser, live_server, world.handler)
    tabs.append(handler)
    for path in (
        reverse("desk:inbox"),
        reverse("desk:inbox") + "?state=all",
        reverse("desk:archive"),
        reverse("desk:templates"),
        reverse("desk:assignment", args=[o.pending.pk]),
        reverse("desk:assignment", args=[o.accepted.pk]),
        reverse("desk:assignment", args=[o.reviewing.assignment_id]),
    ):
        handler.open(path)

    head = Tab(browser, live_server, world.signoff_head)
    tabs.append(head)
    head.open(reverse("desk:signoff_queue"))
    head.open(reverse("desk:assignment", args=[o.signoff_reply.assignment_id]))
    bureau_head = Tab(browser, live_server, world.head)
    tabs.append(bureau_head)
    bureau_head.open(reverse("desk:templates"))
    bureau_head.open(reverse("desk:edit_template", args=[o.template.pk]))

    leader = Tab(browser, live_server, world.leader)
    tabs.append(leader)
    page = leader.open(reverse("desk:leader"))
    page.wait_for_selector("#weekly-chart canvas", timeout=5000)  # ECharts drew the chart
    page.locator("#weekly-chart canvas").hover()  # its tooltip writes styled HTML
    page.wait_for_timeout(300)
    for path in (
        reverse("desk:leader_messages"),
        reverse("desk:leader_supervision"),
        reverse("desk:leader_message", args=[o.pending.message_id]),
        reverse("reports:hot"),
    ):
        leader.open(path)

    operator = Tab(browser, live_server, world.operator)
    tabs.append(operator)
    for path in (
        reverse("desk:operator"),
        reverse("desk:operator_new"),
        reverse("desk:operator_message", args=[o.hotline.pk]),
    ):
        operator.open(path)

    admin = Tab(browser, live_server, world.admin)
    tabs.append(admin)
    for path in (
        "/admin/",
        "/admin/board/message/",
        f"/admin/board/message/{o.new_city.pk}/change/",
        "/admin/directory/unit/add/",
        reverse("accounts:audit"),
    ):
        admin.open(path)

    violations = []
    for tab in tabs:
        tab.collect()
        violations += tab.violations
    assert not violations, "\n".join(dict.fromkeys(violations))
    assert serial_filled, "the duplicate form's Use button fills the serial field"
