"""One form sent twice at the same moment on PostgreSQL, by two real threads with their own
database connections: the second request waits on the token's row lock while the first creates
the message, and then answers with that message instead of "already sent" or a second one."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from liuyan.board import services
from liuyan.board.models import Message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BODY = "小区门口的路灯坏了两个多月，晚上出行很不安全，请有关部门尽快修理。"


@pytest.fixture
def slow_submit(monkeypatch):
    """The first request is still inside its transaction when the second one arrives."""
    original = services.submit_message

    def submit_slowly(**kwargs):
        message = original(**kwargs)
        time.sleep(0.5)
        return message

    monkeypatch.setattr(services, "submit_message", submit_slowly)


def _tab_of(browser: Client) -> Client:
    """A second connection of the same browser: the same session cookie."""
    tab = Client()
    tab.cookies = browser.cookies
    return tab


def test_the_same_form_sent_twice_at_once_makes_one_message_and_both_see_it(
    world, domain, slow_submit
):
    browser = Client()
    browser.force_login(world.citizen)
    tabs = [browser, _tab_of(browser)]
    page = browser.get(reverse("portal:write") + f"?board={world.board.pk}")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)[1]
    data = {
        "form_token": token,
        "board": world.board.pk,
        "type": "complaint",
        "domain": domain.pk,
        "title": "小区门口路灯损坏",
        "body": BODY,
        "place": "",
        "is_public": "1",
        "contact_phone": "13912345678",
        "step": "send",
    }
    answers: list = [None, None]

    def send(index: int, delay: float) -> None:
        time.sleep(delay)
        try:
            answers[index] = tabs[index].post(reverse("portal:write"), data)["Location"]
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, 0.2 * i)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    message = Message.objects.get()
    assert answers == [reverse("portal:message", args=[message.serial])] * 2
