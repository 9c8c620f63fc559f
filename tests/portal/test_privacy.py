"""A private, unscreened or rejected message is invisible to everyone not allowed to see it:
404 on its page and its images, and absent from feeds, board lists and search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board import services
from liuyan.portal import uploads

from .conftest import upload

SECRET_TITLE = "私密留言关于邻居噪音扰民"


@pytest.fixture
def private(make, world):
    message = make.dispatched(public=False, title=SECRET_TITLE)
    data = uploads.stash_image(upload(), form_token="t")
    uploads.attach_images(message, [data], user=world.citizen, now=timezone.now())
    return message


def _image_url(message):
    return reverse("portal:attachment", args=[message.attachments.get().token])


def _outsiders(world):
    return {
        "anonymous": None,
        "other citizen": world.other_citizen,
        "other unit's handler": world.other_handler,
        "other board's leader": world.other_leader,
    }


@pytest.mark.parametrize(
    "who", ["anonymous", "other citizen", "other unit's handler", "other board's leader"]
)
def test_private_message_is_404_for_outsiders(client, world, private, who):
    user = _outsiders(world)[who]
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("portal:message", args=[private.serial])).status_code == 404
    assert client.get(_image_url(private)).status_code == 404
    for respond in ("portal:rate", "portal:follow_up", "portal:thanks"):
        response = client.post(reverse(respond, args=[private.serial]), {"body": "谢谢你们"})
        assert response.status_code in (302, 404)  # anonymous: sent to sign in first
        assert SECRET_TITLE not in response.content.decode()
    if user is not None:
        follow = client.post(reverse("notifications:follow_message", args=[private.pk]))
        assert follow.status_code == 404
    board_page = client.get(reverse("portal:board", args=[world.board.pk]))
    assert SECRET_TITLE not in board_page.text
    feed = client.get(reverse("portal:board_feed", args=[world.board.pk]))
    assert SECRET_TITLE not in feed.content.decode()
    search = client.get(reverse("portal:search") + "?q=噪音扰民")
    assert SECRET_TITLE not in search.text


@pytest.mark.parametrize("who", ["citizen", "handler", "leader", "moderator"])
def test_private_message_is_shown_to_those_allowed(client, world, private, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("portal:message", args=[private.serial]))
    assert response.status_code == 200
    assert SECRET_TITLE in response.text
    assert response["Cache-Control"] == "private, no-store"
    image = client.get(_image_url(private))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"


def test_unscreened_and_rejected_messages_are_404_for_others_and_200_for_the_author(
    client, world, make
):
    waiting = make.submitted(title="尚未审核的留言标题")
    rejected = make.submitted(title="被退回的留言标题啊")
    services.reject_message(
        message_id=rejected.pk,
        actor=world.moderator,
        reason="not_actionable",
        now=rejected.submitted_at + timedelta(hours=1),
    )
    for message in (waiting, rejected):
        url = reverse("portal:message", args=[message.serial])
        client.logout()
        assert client.get(url).status_code == 404
        client.force_login(world.other_citizen)
        assert client.get(url).status_code == 404
        client.force_login(world.citizen)
        assert client.get(url).status_code == 200


def test_public_message_image_is_served_to_anyone(client, world, make):
    message = make.dispatched()
    data = uploads.stash_image(upload(), form_token="t")
    uploads.attach_images(message, [data], user=world.citizen, now=timezone.now())
    response = client.get(_image_url(message))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public")


def test_feed_has_masked_text_and_no_personal_data(client, world, make):
    make.dispatched(
        title="路灯损坏请尽快修理",
        body="我的电话是13912345678，小区门口路灯坏了很久，请尽快修理，谢谢。",
    )
    feed = client.get(reverse("portal:board_feed", args=[world.board.pk])).content.decode()
    assert "13912345678" not in feed
    assert "139****5678" in feed
    assert world.citizen.nickname not in feed
    assert world.citizen.phone not in feed


def test_the_place_is_masked_on_the_public_page_like_the_title_and_body(client, world, domain):
    """The place is free text: a phone number typed into it is personal data like any other."""
    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="小区门口路灯损坏",
        body="小区门口的路灯坏了两个多月，晚上出行很不安全，请尽快修理。",
        place="丽景小区门口，电话13907315566",
        domain=domain,
    )
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert page.status_code == 200
    assert "13907315566" not in page.text and "丽景小区门口，电话139****5566" in page.text


def test_personal_data_in_a_published_reply_is_masked_on_the_public_page(client, make):
    message = make.replied(reply="已电话联系您13907315566，路灯已修复。")
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert "13907315566" not in page.text and "已电话联系您139****5566" in page.text


def test_an_unscreened_public_message_and_its_images_are_never_cached_as_public(
    client, world, make
):
    """ "Public" is a wish until screening: the author's view of a message still waiting (or
    rejected) must not land in a shared cache for everyone."""
    waiting = make.submitted()
    data = uploads.stash_image(upload(), form_token="t")
    uploads.attach_images(waiting, [data], user=world.citizen, now=timezone.now())
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[waiting.serial]))
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    image = client.get(_image_url(waiting))
    assert image.status_code == 200 and image["Cache-Control"] == "private, no-store"
