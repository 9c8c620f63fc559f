"""Rating, follow-up and thanks: only the author, only in the right state, with clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board.models import Evaluation, FollowUp, Thanks
from liuyan.core.lifecycle import State


@pytest.fixture(autouse=True)
def _recent(make):
    make.base = timezone.now() - timedelta(days=3)  # the 15-day rating window is still open


RATING = {"solved": "1", "attitude": "5", "speed": "4", "comment": "处理及时，谢谢"}


def test_author_rates_the_reply_and_the_message_closes(client, world, make):
    message = make.replied()
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert page.context["rating_form"] is not None
    response = client.post(reverse("portal:rate", args=[message.serial]), RATING)
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(message=message)
    assert (evaluation.solved, evaluation.attitude, evaluation.speed) == (True, 5, 4)
    message.refresh_from_db()
    assert message.state == State.CLOSED


def test_unsatisfied_rating_asks_for_a_look_back(client, world, make):
    message = make.replied()
    client.force_login(world.citizen)
    client.post(reverse("portal:rate", args=[message.serial]), {**RATING, "solved": "0"})
    message.refresh_from_db()
    assert message.state == State.REVIEW


def test_rating_form_errors_are_shown(client, world, make):
    message = make.replied()
    client.force_login(world.citizen)
    response = client.post(reverse("portal:rate", args=[message.serial]), {"solved": "1"})
    assert response.status_code == 400
    assert set(response.context["rating_form"].errors) == {"attitude", "speed"}
    assert not Evaluation.objects.exists()


def test_another_citizen_cannot_rate_and_sees_why(client, world, make):
    message = make.replied()
    client.force_login(world.other_citizen)
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert page.context["rating_form"] is None
    response = client.post(reverse("portal:rate", args=[message.serial]), RATING)
    assert response.status_code == 400
    assert response.context["rating_form"].non_field_errors()
    assert not Evaluation.objects.exists()


def test_rating_before_a_reply_is_refused(client, world, make):
    message = make.accepted()
    client.force_login(world.citizen)
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert page.context["rating_form"] is None
    response = client.post(reverse("portal:rate", args=[message.serial]), RATING)
    assert response.status_code == 400
    assert response.context["rating_form"].non_field_errors()


def test_follow_up_and_thanks_are_posted_and_masked(client, world, make):
    message = make.replied()
    client.force_login(world.citizen)
    client.post(
        reverse("portal:follow_up", args=[message.serial]),
        {"follow_up-body": "路灯修好后又坏了，请再看看，电话13912345678"},
    )
    client.post(reverse("portal:thanks", args=[message.serial]), {"thanks-body": "谢谢你们！"})
    assert FollowUp.objects.get(message=message).public_body.endswith("139****5678")
    assert Thanks.objects.filter(message=message).count() == 1
    page = client.get(reverse("portal:message", args=[message.serial]))
    assert "谢谢你们！" in page.text
    assert "13912345678" not in page.text


def test_follow_up_needs_a_reply_first(client, world, make):
    message = make.dispatched()
    client.force_login(world.citizen)
    response = client.post(
        reverse("portal:follow_up", args=[message.serial]), {"follow_up-body": "请问进展如何？"}
    )
    assert response.status_code == 400
    assert not FollowUp.objects.exists()
