"""The author of a message that was not accepted sees why, in the moderator's words; a duplicate
points at the message it is handled with."""

import pytest
from django.urls import reverse

from liuyan.board import services

pytestmark = pytest.mark.django_db


def test_the_author_sees_the_reason_and_the_moderators_explanation(client, world, make):
    message = make.submitted()
    services.reject_message(
        message_id=message.pk,
        actor=world.moderator,
        reason="other",
        note="您反映的是企业内部劳资纠纷，请向劳动仲裁委员会申请仲裁。",
    )
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[message.serial])).content.decode()
    assert "其他" in page
    assert "请向劳动仲裁委员会申请仲裁" in page
    client.force_login(world.other_citizen)
    assert client.get(reverse("portal:message", args=[message.serial])).status_code == 404


def test_a_duplicate_links_to_its_public_original(client, world, make):
    original = make.dispatched()
    message = make.submitted()
    services.mark_duplicate(message_id=message.pk, original_id=original.pk, actor=world.moderator)
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[message.serial])).content.decode()
    assert reverse("portal:message", args=[original.serial]) in page


def test_a_duplicate_of_a_private_message_does_not_reveal_it(client, world, make):
    original = make.dispatched(author=world.other_citizen, public=False)
    message = make.submitted()
    services.mark_duplicate(message_id=message.pk, original_id=original.pk, actor=world.moderator)
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[message.serial])).content.decode()
    assert reverse("portal:message", args=[original.serial]) not in page
    assert original.public_title not in page
