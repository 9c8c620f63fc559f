import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_render_for_their_staff(client, world, objects):
    o = objects
    pages = [
        (world.moderator, reverse("desk:screening")),
        (world.moderator, reverse("desk:moderate_message", args=[o.new_city.pk])),
        (world.moderator, reverse("desk:moderate_message", args=[o.lookback.pk])),
        (world.moderator, reverse("desk:moderate_message", args=[o.returned.pk])),
        (world.moderator, reverse("desk:review_reply", args=[o.reviewing.pk])),
        (world.moderator, reverse("desk:reply_queue")),
        (world.moderator, reverse("desk:extensions")),
        (world.moderator, reverse("desk:returned")),
        (world.moderator, reverse("desk:lookback")),
        (world.moderator, reverse("desk:overdue") + "?kind=reply"),
        (world.moderator, reverse("desk:supervision")),
        (world.handler, reverse("desk:inbox")),
        (world.handler, reverse("desk:assignment", args=[o.accepted.pk])),
        (world.handler, reverse("desk:assignment", args=[o.pending.pk])),
        (world.head, reverse("desk:templates")),
        (world.head, reverse("desk:archive")),
        (world.signoff_head, reverse("desk:signoff_queue")),
        (world.signoff_head, reverse("desk:assignment", args=[o.signoff_reply.assignment_id])),
        (world.leader, reverse("desk:leader")),
        (world.leader, reverse("desk:leader_messages")),
        (world.leader, reverse("desk:leader_message", args=[o.pending.message_id])),
        (world.operator, reverse("desk:operator")),
        (world.operator, reverse("desk:operator_new")),
        (world.operator, reverse("desk:operator_message", args=[o.hotline.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (user, url)


def test_desk_speaks_simplified_chinese(client, world, objects):
    client.force_login(world.moderator)
    html = client.get(reverse("desk:screening")).content.decode()
    assert "待审核留言" in html  # "Screening queue"
    html = client.get(reverse("desk:moderate_message", args=[objects.new_city.pk])).content.decode()
    assert "留言原文" in html and "交办" in html


def test_times_are_shown_in_shanghai(client, world, objects):
    from zoneinfo import ZoneInfo

    client.force_login(world.moderator)
    html = client.get(reverse("desk:screening")).content.decode()
    local = objects.new_city.submitted_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M") in html


def test_desk_pages_and_files_are_never_cached(client, world, objects):
    """Private messages, contact numbers and files must not stay in a shared office
    computer's browser cache after the staff member signs out."""
    client.force_login(world.moderator)
    urls = [
        reverse("desk:moderate_message", args=[objects.new_city.pk]),
        reverse("desk:attachment", args=[objects.attachment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response.get("Cache-Control", ""), url
        assert "private" in response.get("Cache-Control", ""), url
