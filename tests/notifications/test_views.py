import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from liuyan.notifications.models import Follow, Notification
from tests.conftest import MONDAY

from . import steps

pytestmark = pytest.mark.django_db


def notify(user, title="留言 1 已答复", **extra):
    return Notification.objects.create(
        recipient=user, kind="progress", title=title, created_at=timezone.now(), **extra
    )


def test_inbox_needs_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_inbox_lists_only_my_notifications(client, world):
    notify(world.citizen, "给我的")
    notify(world.other_citizen, "给别人的")
    client.force_login(world.citizen)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "给我的" in page and "给别人的" not in page


def test_mark_read_and_mark_all_read(client, world):
    first, second = notify(world.citizen), notify(world.citizen)
    client.force_login(world.citizen)

    client.post(reverse("notifications:mark_read", args=[first.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at and not second.read_at

    client.post(reverse("notifications:mark_all_read"))
    second.refresh_from_db()
    assert second.read_at


def test_htmx_mark_read_returns_the_item(client, world):
    note = notify(world.citizen)
    client.force_login(world.citizen)
    response = client.post(
        reverse("notifications:mark_read", args=[note.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="notification-{note.pk}"' in html and "<html" not in html
    assert "mark_read" not in html and "/read/" not in html  # no button once read


def test_someone_elses_notification_is_not_found(client, world):
    note = notify(world.other_citizen)
    client.force_login(world.citizen)
    assert client.post(reverse("notifications:mark_read", args=[note.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_marks_read_and_goes_to_the_link(client, world):
    note = notify(world.citizen, url="/somewhere/")
    client.force_login(world.citizen)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == "/somewhere/"
    note.refresh_from_db()
    assert note.read_at


def test_unread_count_is_in_every_template_context(client, world):
    notify(world.citizen)
    notify(world.citizen, read_at=timezone.now())
    client.force_login(world.citizen)
    response = client.get(reverse("notifications:inbox"))
    assert response.context["unread_notification_count"] == 1


def test_follow_and_unfollow_a_public_message(client, world):
    m = steps.dispatched(world)
    client.force_login(world.other_citizen)
    url = reverse("notifications:follow_message", args=[m.pk])

    client.post(url)
    client.post(url)  # twice is still one follow
    assert Follow.objects.filter(user=world.other_citizen, message=m).count() == 1

    client.post(url, {"follow": "0"})
    assert not Follow.objects.filter(user=world.other_citizen, message=m).exists()


def test_a_private_message_cannot_be_followed_by_others(client, world):
    m = steps.dispatched(world, is_public=False)
    client.force_login(world.other_citizen)
    response = client.post(reverse("notifications:follow_message", args=[m.pk]))
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_follow_needs_post(client, world):
    client.force_login(world.citizen)
    response = client.get(reverse("notifications:follow_board", args=[world.board.pk]))
    assert response.status_code == 405


def test_follow_a_board_with_htmx_returns_the_new_button(client, world):
    client.force_login(world.citizen)
    response = client.post(
        reverse("notifications:follow_board", args=[world.board.pk]), HTTP_HX_REQUEST="true"
    )
    assert Follow.objects.filter(user=world.citizen, board=world.board).exists()
    assert 'aria-pressed="true"' in response.content.decode()


def test_follow_redirects_back_only_within_the_site(client, world):
    client.force_login(world.citizen)
    url = reverse("notifications:follow_board", args=[world.board.pk])
    assert client.post(url, {"next": "/boards/1/"})["Location"] == "/boards/1/"
    assert client.post(url, {"next": "https://evil.example/"})["Location"] == reverse(
        "notifications:inbox"
    )


def test_follow_button_tag_shows_the_state(world):
    Follow.objects.create(user=world.citizen, board=world.board, created_at=MONDAY)
    request = RequestFactory().get("/boards/")
    request.user = world.citizen
    template = Template("{% load notifications %}{% follow_button board %}")
    html = template.render(Context({"request": request, "board": world.board}))
    assert 'aria-pressed="true"' in html and 'value="0"' in html
    assert reverse("notifications:follow_board", args=[world.board.pk]) in html
