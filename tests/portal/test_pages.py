"""Every portal page renders, for anonymous visitors and for a signed-in citizen."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def replied(make):
    return make.replied()


def _public_urls(world, message):
    return [
        reverse("portal:home"),
        reverse("portal:boards"),
        reverse("portal:boards") + f"?region={world.province.pk}",
        reverse("portal:boards") + f"?region={world.city.pk}",
        reverse("portal:boards") + "?q=市长",
        reverse("portal:board", args=[world.board.pk]),
        reverse("portal:board", args=[world.board.pk]) + "?status=answered&type=complaint",
        reverse("portal:board_feed", args=[world.board.pk]),
        reverse("portal:message", args=[message.serial]),
        reverse("portal:search") + "?q=路灯",
        reverse("portal:search"),
    ]


def test_every_public_page_renders_for_anonymous_visitors(client, world, replied):
    for url in _public_urls(world, replied):
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_page_renders_for_a_signed_in_citizen(client, world, replied):
    client.force_login(world.citizen)
    urls = [
        *_public_urls(world, replied),
        reverse("portal:my_messages"),
        reverse("portal:write") + f"?board={world.board.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_home_shows_latest_reply_and_year_figures(client, world, make, replied):
    make.dispatched()  # a second public message, not answered yet
    response = client.get(reverse("portal:home"))
    assert replied.public_title in response.text
    figures = response.context["figures"]
    assert (figures.messages, figures.replied, figures.reply_rate) == (2, 1, 50.0)


def test_board_page_shows_figures_with_median_working_days(client, world, replied):
    response = client.get(reverse("portal:board", args=[world.board.pk]))
    figures = response.context["figures"]
    assert figures.messages == 1
    assert figures.reply_rate == 100.0
    # Dispatched Monday 11:00, replied Wednesday: two working days.
    assert figures.median_days == 2


def test_region_cascade_lists_children_and_the_regions_boards(client, world):
    response = client.get(reverse("portal:boards") + f"?region={world.city.pk}")
    text = response.text
    assert world.county.name in text  # the next level down
    assert world.board.name in text  # the city's own board
    assert world.other_board.name not in text  # another city's board


def test_board_search_finds_boards_and_units(client, world):
    response = client.get(reverse("portal:boards") + "?q=住房和城乡建设")
    assert world.bureau.name in response.text
    response = client.get(reverse("portal:boards") + "?q=株洲")
    assert world.other_board.name in response.text


def test_htmx_region_change_returns_only_the_results_fragment(client, world):
    response = client.get(
        reverse("portal:boards") + f"?region={world.city.pk}",
        headers={"HX-Request": "true", "HX-Target": "board-finder-results"},
    )
    assert response.text.lstrip().startswith('<div id="board-finder-results">')
    assert "<html" not in response.text


def test_unknown_message_uses_the_404_template(client, db):
    response = client.get(reverse("portal:message", args=["20990101000001"]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_message_page_shows_timeline_reply_unit_and_shanghai_dates(client, world, replied):
    response = client.get(reverse("portal:message", args=[replied.serial]))
    text = response.text
    assert world.bureau.name in text  # the reply's unit
    assert "您反映的路灯问题已安排维修" in text
    # Submitted 2026-03-02 01:01 UTC = 09:01 in Shanghai.
    assert "2026-03-02 09:01" in text
    actions = [event.action for event in response.context["record"].events]
    assert actions[:1] == ["submit"] and "approve_reply" in actions
    assert "screen" not in actions  # internal steps stay internal


def test_contact_phone_is_never_on_the_message_page(client, world, replied):
    client.force_login(world.other_citizen)
    response = client.get(reverse("portal:message", args=[replied.serial]))
    assert "13912345678" not in response.text


def test_citizen_follows_a_message_and_a_board_from_their_pages(client, world, replied):
    from liuyan.notifications import selectors as notifications

    client.force_login(world.other_citizen)
    message_page = client.get(reverse("portal:message", args=[replied.serial])).text
    follow_message = reverse("notifications:follow_message", args=[replied.pk])
    follow_board = reverse("notifications:follow_board", args=[world.board.pk])
    assert f'action="{follow_message}"' in message_page
    assert (
        f'action="{follow_board}"'
        in client.get(reverse("portal:board", args=[world.board.pk])).text
    )
    client.post(follow_message, {"follow": "1"})
    client.post(follow_board, {"follow": "1"})
    assert notifications.is_following_message(world.other_citizen, replied.pk)
    assert notifications.is_following_board(world.other_citizen, world.board.pk)


def test_public_message_page_reads_the_message_replies_and_timeline_only(
    client, world, replied, django_assert_num_queries
):
    """An anonymous visitor's page of a replied message without images, ratings, follow-ups,
    thanks or instructions: the message (with a flag for each of those), its published replies
    and its public timeline; no session, no user, no query for an empty section."""
    url = reverse("portal:message", args=[replied.serial])
    with django_assert_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    assert "您反映的路灯问题已安排维修" in response.text


def test_message_images_and_reply_attachments_come_in_one_query(
    client, world, make, django_assert_num_queries
):
    from django.utils import timezone

    from liuyan.board import services
    from liuyan.desk import services as desk_services
    from liuyan.portal import uploads

    from .conftest import upload

    message = make.accepted()
    data = uploads.stash_image(upload(), form_token="t")
    uploads.attach_images(message, [data], user=world.citizen, now=timezone.now())
    assignment = message.assignments.get()
    draft = services.save_reply_draft(
        assignment_id=assignment.pk, actor=world.handler, body="已安排维修，现场照片见附件。"
    )
    desk_services.attach_to_reply(reply=draft, upload=upload(), actor=world.handler)
    services.submit_reply(assignment_id=assignment.pk, actor=world.handler)
    services.approve_reply(reply_id=draft.pk, actor=world.moderator)
    image = message.attachments.get()
    attachment = draft.attachments.get()

    with django_assert_num_queries(4):  # message, replies, attachments, timeline
        text = client.get(reverse("portal:message", args=[message.serial])).text
    image_url = reverse("portal:attachment", args=[image.token])
    attachment_url = reverse("portal:attachment", args=[attachment.token])
    assert text.count(image_url) == 2  # the link and the <img>
    assert text.count(attachment_url) == 1
