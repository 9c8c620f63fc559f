"""A citizen signs in with an SMS code, writes a message with a photo, sees it in "my messages",
reads the unit's reply and rates it; a search in traditional characters finds the message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from liuyan.board import services
from liuyan.board.models import Attachment, Evaluation, Message
from liuyan.core.lifecycle import State

from ..conftest import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13700000009"
TITLE = "星沙街道路灯损坏请维修"
BODY = "星沙街道开元路的路灯已经坏了一个多月，晚上行人和车辆都很危险，请有关部门尽快修理。"


def _sms_code(outbox: Path) -> str:
    lines = outbox.read_text(encoding="utf-8").strip().splitlines()
    last = [line for line in lines if f"\t{PHONE}\t" in line][-1]
    return re.search(r"\d{6}", last.split("\t", 2)[2]).group()


def _sign_in(page, live_server, next_url: str, tmp_path) -> None:
    """Through the accounts app's SMS code form when it is there (the code is read from the
    development outbox), else with a session cookie made by the test client."""
    try:
        login = reverse("accounts:login")
        reverse("accounts:request_code")
    except NoReverseMatch:
        login = None
    if login is None:
        from django.test import Client

        from liuyan.accounts.models import User

        user, _ = User.objects.get_or_create(username=PHONE, phone=PHONE)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        page.goto(live_server.url + next_url)
        return
    page.locator("form[action$='/login/code/'] input[name=phone]").fill(PHONE)
    page.locator("form[action$='/login/code/'] button[type=submit]").click()
    page.wait_for_selector("form[action$='/login/verify/'] input[name=code]")
    code = _sms_code(Path(settings.VAR_DIR) / "sms-outbox.log")
    form = page.locator("form[action$='/login/verify/']")
    if form.locator("input[name=phone]").input_value() == "":
        form.locator("input[name=phone]").fill(PHONE)
    form.locator("input[name=code]").fill(code)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if next_url not in page.url:
        page.goto(live_server.url + next_url)


def test_write_reply_rate_and_search(
    browser, live_server, world, domain, make, shoot, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # the development SMS outbox goes here
    make.replied(title="开元路口红绿灯时间太短")  # something already answered on the board
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")

    page.goto(live_server.url + "/")
    shoot(page, "home")
    page.goto(live_server.url + f"/boards/?region={world.city.pk}")
    shoot(page, "boards")
    page.get_by_role("link", name=world.board.name).first.click()
    page.wait_for_url(re.compile(r"/boards/\d+/$"))
    shoot(page, "board")

    write_url = f"/write/?board={world.board.pk}"
    page.goto(live_server.url + write_url)
    if "/accounts/" in page.url:
        _sign_in(page, live_server, write_url, tmp_path)
    page.wait_for_selector("input[name=title]")
    shoot(page, "write")

    photo = tmp_path / "streetlight.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.locator("input[name=type][value=complaint]").check()
    page.locator("select[name=domain]").select_option(str(domain.pk))
    page.locator("input[name=title]").fill(TITLE)
    page.locator("textarea[name=body]").fill(BODY + "我的电话13912345678。")
    page.locator("input[name=place]").fill("星沙街道开元路")
    page.locator("input[name=images]").set_input_files(str(photo))
    page.locator("input[name=contact_phone]").fill(PHONE)
    page.locator("button[name=step][value=preview]").click()
    page.wait_for_selector("mark.masked")
    assert "139****5678" in page.locator("mark.masked").first.inner_text()
    shoot(page, "preview")

    page.locator("button[name=step][value=send]").dblclick()  # a double click sends once
    page.wait_for_url(re.compile(r"/messages/\d+/$"))
    message = Message.objects.get(title=TITLE)
    assert Message.objects.filter(title=TITLE).count() == 1
    assert Attachment.objects.filter(message=message).count() == 1
    assert message.contact.phone == PHONE
    assert message.serial in page.content()

    page.goto(live_server.url + "/my/messages/")
    assert TITLE in page.content()
    shoot(page, "my-messages")

    assignment = _reply_through_services(world, message)
    assert assignment.message.state == State.REPLIED

    page.goto(live_server.url + f"/messages/{message.serial}/")
    assert "路灯已于本周修复" in page.content()
    page.locator("input[name=solved][value='1']").check()
    page.locator("input[name=attitude][value='5']").check()
    page.locator("input[name=speed][value='4']").check()
    page.locator("textarea[name=comment]").fill("修得很快，谢谢。")
    shoot(page, "message")
    page.locator("#rate button[type=submit]").click()
    page.wait_for_load_state()
    evaluation = Evaluation.objects.get(message=message)
    assert (evaluation.solved, evaluation.attitude, evaluation.speed) == (True, 5, 4)

    page.goto(live_server.url + "/search/?q=" + "路燈損壞")  # traditional characters
    page.wait_for_selector(".search-results")
    assert TITLE in page.locator(".search-results").inner_text()
    shoot(page, "search")

    page.goto(live_server.url + "/messages/20990101000001/")
    shoot(page, "not-found")
    page.close()


def _reply_through_services(world, message):
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    assignment = message.assignments.get()
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    reply = services.submit_reply(
        assignment_id=assignment.pk,
        actor=world.handler,
        body="您反映的路灯已于本周修复，感谢监督。",
    )
    services.approve_reply(reply_id=reply.pk, actor=world.moderator)
    assignment.refresh_from_db()
    return assignment
