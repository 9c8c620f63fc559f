"""Personal data is masked by its shape on every public surface (issue #11): an ID number whose
check digit is wrong, a card number that fails Luhn and an exact home address never reach the
public page, search results, the Atom feed or the search index; a unit's own hotline in its
reply stays as written while the citizen's number in it is masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from liuyan.board import services
from liuyan.board.models import Message

from .conftest import MONDAY

BAD_ID = "430102199003071257"  # check digit should be 4
BAD_CARD = "6222020928159013963"  # fails Luhn
ADDRESS_DETAIL = "88号3栋502室"
BODY = (
    f"我家住枫林三路{ADDRESS_DETAIL}，楼下烧烤店每晚噪音扰民到凌晨。"
    f"我的身份证号{BAD_ID}，银行卡{BAD_CARD}，请尽快处理。"
)
PLACE = f"家住枫林三路{ADDRESS_DETAIL}"
REPLY = "经核查已处理。如有疑问请拨打0731-88888888或12345热线，已电话联系您13907315566。"


@pytest.fixture
def published(world, domain):
    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="烧烤店噪音扰民严重",
        body=BODY,
        place=PLACE,
        domain=domain,
        now=MONDAY,
    )
    services.dispatch_message(
        message_id=message.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY + timedelta(hours=1),
    )
    assignment = message.assignments.get()
    services.accept_assignment(
        assignment_id=assignment.pk, actor=world.handler, now=MONDAY + timedelta(hours=2)
    )
    draft = services.submit_reply(
        assignment_id=assignment.pk, actor=world.handler, body=REPLY, now=MONDAY + timedelta(days=1)
    )
    services.approve_reply(reply_id=draft.pk, actor=world.moderator, now=MONDAY + timedelta(days=1))
    message.refresh_from_db()
    return message


def _assert_no_personal_data(text: str) -> None:
    assert BAD_ID not in text
    assert BAD_CARD not in text
    assert ADDRESS_DETAIL not in text
    assert "502室" not in text and "88号" not in text
    assert "13907315566" not in text


def test_stored_public_text_and_index_hold_only_masked_text(published):
    row = Message.objects.get(pk=published.pk)
    _assert_no_personal_data(row.public_title + row.public_body + row.search_text)
    assert "枫林三路" in row.public_body


def test_public_page_masks_body_place_and_citizen_data_in_reply(client, published):
    page = client.get(reverse("portal:message", args=[published.serial]))
    assert page.status_code == 200
    _assert_no_personal_data(page.text)
    assert "枫林三路" in page.text
    # The unit's own numbers stay as the unit wrote them.
    assert "0731-88888888" in page.text and "12345" in page.text


def test_feed_masks_by_shape(client, world, published):
    feed = client.get(reverse("portal:board_feed", args=[world.board.pk])).content.decode()
    assert published.serial in feed
    _assert_no_personal_data(feed)


def test_search_results_are_masked_and_the_id_number_finds_nothing(client, published):
    found = client.get(reverse("portal:search") + "?q=烧烤店噪音")
    assert [hit.message for hit in found.context["results"].hits] == [published]
    _assert_no_personal_data(found.text)
    for secret in (BAD_ID, BAD_CARD, "13907315566"):
        response = client.get(reverse("portal:search") + f"?q={secret}")
        assert response.context["results"].hits == [], secret


def test_hot_issues_and_similar_messages_read_only_masked_text(published):
    from liuyan.board import similarity
    from liuyan.reports import selectors as report_selectors
    from liuyan.reports import services as report_services
    from liuyan.reports.models import HotIssue

    sources = report_selectors.hot_sources(
        since=MONDAY - timedelta(days=1), until=MONDAY + timedelta(days=3), public=True
    )
    _assert_no_personal_data(" ".join(source.title + source.body for source in sources))
    entries = [similarity._entry(row) for row in similarity._rows(Message.objects.all())]
    _assert_no_personal_data(" ".join(entry.text for entry in entries))
    report_services.refresh_hot_issues(now=MONDAY + timedelta(days=2))
    _assert_no_personal_data(" ".join(i.title + i.place for i in HotIssue.objects.all()))
