"""The admin is a fallback back office: every page opens, and state changes only via services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from liuyan.board import services as s
from liuyan.board.models import Event, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, world):
    world.moderator.is_staff = world.moderator.is_superuser = True
    world.moderator.save()
    client.force_login(world.moderator)
    return client


@pytest.fixture
def message(world):
    m = s.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="夜间施工噪音扰民",
        body="工地每天晚上十一点以后还在施工，噪音很大，严重影响休息。",
    )
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau)
    return m


def test_every_model_list_opens(superuser_client, message):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


def test_message_page_shows_the_timeline_read_only(superuser_client, message):
    response = superuser_client.get(reverse("admin:board_message_change", args=[message.pk]))
    assert response.status_code == 200
    assert "dispatch" in response.content.decode()
    assert 'name="state"' not in response.content.decode()


def test_admin_close_action_goes_through_the_service(superuser_client, message):
    url = reverse("admin:board_message_changelist")
    response = superuser_client.post(
        url, {"action": "close_messages", "_selected_action": [message.pk]}, follow=True
    )
    # A dispatched message cannot be closed: the service refuses and the admin says why.
    assert Message.objects.get(pk=message.pk).state == "dispatched"
    assert message.serial in response.content.decode()
    assert not Event.objects.filter(message=message, action="close").exists()
