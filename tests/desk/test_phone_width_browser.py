"""Every page type, for every role, fits a phone: at 360 and 390 px wide nothing scrolls
sideways (`document.documentElement.scrollWidth <= innerWidth`), and the navigation's
消息通知 link with its unread badge is on screen.

One Chromium, one tab per role (signed in once), each page measured at both widths by resizing
the viewport, so the whole walk costs one page load per page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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
WIDTHS = (360, 390)

# What sticks out, for the failure message: the widest elements past the right edge.
OVERFLOW = """
() => {
  const limit = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0) {
      out.push(el.tagName.toLowerCase() + "." + el.className + " @" + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: limit, out: out.slice(-5)};
}
"""

# Playwright's sync API runs an event loop in this thread; the ORM calls below are deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Phone:
    """One person's tab at phone width; records every page that scrolls sideways."""

    def __init__(self, browser, live_server, user, problems: list[str]):
        self.base = live_server.url
        self.who = user.username if user is not None else "anonymous"
        self.problems = problems
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": WIDTHS[0], "height": 780}
        )
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            self.context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": self.base}]
            )
        self.page = self.context.new_page()

    def check(self, path: str, *, status: int = 200):
        response = self.page.goto(self.base + path)
        assert response.status == status, f"{self.who} {path}: {response.status}"
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 780})
            found = self.page.evaluate(OVERFLOW)
            if found["scroll"] > found["inner"]:
                self.problems.append(
                    f"{self.who} {path} at {width}px: scrollWidth {found['scroll']} "
                    f"> {found['inner']}: {found['out']}"
                )
        return self.page

    def notifications_on_screen(self) -> bool:
        link = self.page.locator(".site-nav a[href='/notifications/']")
        box = link.bounding_box()
        return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[0]


def test_every_page_fits_a_phone_for_every_role(browser, live_server, world, objects):
    from liuyan.directory.models import Domain
    from liuyan.notifications.models import Notification

    o = objects
    top = Domain.objects.create(name="城乡建设", level=1)
    works = Domain.objects.create(name="市政设施", level=2, parent=top)
    lights = Domain.objects.create(name="路灯照明", level=3, parent=works)
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    for user in (world.citizen, world.handler):
        Notification.objects.create(
            recipient=user,
            kind=Notification.Kind.PROGRESS,
            title="您的留言有了新进展",
            url="/my/messages/",
            created_at=timezone.now(),
        )
    problems: list[str] = []
    public = o.lookback  # a public message with a published reply

    anonymous = Phone(browser, live_server, None, problems)
    for path in (
        "/",
        "/boards/",
        f"/boards/?region={world.city.pk}",
        "/boards/?q=住建局",
        f"/boards/{world.board.pk}/",
        f"/messages/{public.serial}/",
        "/search/?q=路灯",
        reverse("reports:hot_public"),
        reverse("accounts:login"),
        reverse("accounts:staff_login"),
    ):
        anonymous.check(path)
    anonymous.check("/messages/20990101000001/", status=404)

    citizen = Phone(browser, live_server, world.citizen, problems)
    for path in (
        "/",
        f"{reverse('portal:write')}?board={world.board.pk}",
        "/my/messages/",
        "/search/?q=路灯",
        reverse("notifications:inbox"),
        reverse("accounts:profile"),
        f"/messages/{public.serial}/",
    ):
        citizen.check(path)
    citizen.check("/")
    badge_on_screen = citizen.notifications_on_screen()
    citizen.check(reverse("reports:hot"), status=403)

    moderator = Phone(browser, live_server, world.moderator, problems)
    for name in ("screening", "returned", "reply_queue", "extensions", "lookback", "supervision"):
        moderator.check(reverse(f"desk:{name}"))
    moderator.check(reverse("desk:overdue") + "?kind=reply")
    moderator.check(reverse("desk:review_reply", args=[o.reviewing.pk]))
    page = moderator.check(reverse("desk:moderate_message", args=[o.new_city.pk]))
    # The domain picker's search box narrows the grouped list and picks the one match.
    page.locator("input[data-filter-for=id_domain]").fill("路灯")
    shown = page.eval_on_selector_all(
        "#id_domain option:not([hidden])", "els => els.filter(e => e.value).map(e => e.text)"
    )
    picked = page.locator("#id_domain").input_value()
    moderator.check(reverse("desk:moderate_message", args=[o.lookback.pk]))
    moderator.check(reverse("reports:hot"))

    handler = Phone(browser, live_server, world.handler, problems)
    for path in (
        reverse("desk:inbox"),
        reverse("desk:archive"),
        reverse("desk:templates"),
        reverse("desk:knowledge") + "?q=路灯",
        reverse("desk:assignment", args=[o.pending.pk]),
        reverse("desk:assignment", args=[o.accepted.pk]),
        reverse("notifications:inbox"),
    ):
        handler.check(path)

    head = Phone(browser, live_server, world.signoff_head, problems)
    head.check(reverse("desk:signoff_queue"))
    head.check(reverse("desk:assignment", args=[o.signoff_reply.assignment_id]))
    bureau_head = Phone(browser, live_server, world.head, problems)
    bureau_head.check(reverse("desk:edit_template", args=[o.template.pk]))

    leader = Phone(browser, live_server, world.leader, problems)
    for path in (
        reverse("desk:leader"),
        reverse("desk:leader_messages"),
        reverse("desk:leader_supervision"),
        reverse("desk:leader_message", args=[o.pending.message_id]),
    ):
        leader.check(path)

    operator = Phone(browser, live_server, world.operator, problems)
    for path in (
        reverse("desk:operator"),
        reverse("desk:operator_new"),
        reverse("desk:operator_message", args=[o.hotline.pk]),
    ):
        operator.check(path)

    admin = Phone(browser, live_server, world.admin, problems)
    for path in (reverse("accounts:audit"), reverse("accounts:sign_in_locks"), "/admin/"):
        admin.check(path)

    assert not problems, "\n".join(problems)
    assert [text.strip() for text in shown] == ["市政设施 › 路灯照明"]
    assert picked == str(lights.pk)
    assert badge_on_screen, "消息通知 with its unread badge is on screen at 360 px"
