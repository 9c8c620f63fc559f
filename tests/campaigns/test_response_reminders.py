"""`liuyan tick` reminds the organiser (and the region's moderators) of a public response owed
for a suggestion past the support threshold: once when the deadline is near, once when it has
passed, never twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from liuyan.campaigns import services
from liuyan.notifications.campaigns import send_response_reminders
from liuyan.notifications.models import Notification
from tests.campaigns.test_campaigns import _campaign, _suggestion
from tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed(world):
    """A suggestion that reached the threshold on Monday: respond within 5 working days."""
    campaign = _campaign(world, support_threshold=1, response_days=5)
    suggestion = _suggestion(world, campaign, title="增加公交夜班线路")
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    suggestion.refresh_from_db()
    assert suggestion.response_due_at is not None
    Notification.objects.all().delete()  # the threshold's own notice is not under test here
    return suggestion


def _told():
    return sorted(
        Notification.objects.filter(kind=Notification.Kind.CAMPAIGN).values_list(
            "recipient_id", flat=True
        )
    )


def test_near_and_past_deadline_each_reminded_once(world, owed):
    due = owed.response_due_at
    assert send_response_reminders(due - timedelta(days=5)) == {"due_soon": 0, "overdue": 0}
    near = due - timedelta(hours=2)
    assert send_response_reminders(near)["due_soon"] > 0
    organiser_and_moderators = sorted(
        {world.leader.pk, world.handler.pk, world.head.pk, world.moderator.pk}
    )
    assert _told() == organiser_and_moderators  # not the city moderator of another city
    assert send_response_reminders(near + timedelta(minutes=5)) == {"due_soon": 0, "overdue": 0}
    late = due + timedelta(minutes=10)
    sent = send_response_reminders(late)
    assert sent == {"due_soon": 0, "overdue": len(organiser_and_moderators)}
    assert send_response_reminders(late + timedelta(days=1)) == {"due_soon": 0, "overdue": 0}
    titles = list(Notification.objects.values_list("title", flat=True))
    assert len(titles) == 2 * len(organiser_and_moderators)


def test_a_missed_near_stage_still_gets_the_overdue_one_only(world, owed):
    late = owed.response_due_at + timedelta(hours=1)
    assert send_response_reminders(late)["overdue"] == 4
    assert send_response_reminders(late)["due_soon"] == 0


def test_no_reminder_once_the_organiser_responded(world, owed):
    services.respond(
        suggestion_id=owed.pk, actor=world.leader, text="已研究，将增开夜班线路。", now=MONDAY
    )
    assert send_response_reminders(owed.response_due_at + timedelta(hours=1)) == {
        "due_soon": 0,
        "overdue": 0,
    }


def test_tick_sends_them(world, owed, monkeypatch, capsys):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: owed.response_due_at + timedelta(hours=1))
    call_command("tick")
    call_command("tick")
    assert len(_told()) == 4
