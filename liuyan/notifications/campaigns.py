"""Telling a suggestion's proposer and supporters what a unit decided (采纳意见), the
organiser that a suggestion reached its campaign's support threshold, and (from `liuyan tick`)
the organiser and the region's moderators that the response it owes is near or past its deadline.

`campaigns` sends `decision_recorded` inside the deciding transaction; the in-app notifications
are written in that same transaction, their e-mails go out after the commit from the task worker.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from liuyan.accounts.models import User
from liuyan.campaigns import selectors as campaign_selectors
from liuyan.campaigns import services as campaign_services

from . import services
from .models import Delivery, Notification


@task()
def send_decision_deliveries(notification_ids: list[int]) -> int:
    deliveries = Delivery.objects.filter(notification_id__in=notification_ids)
    return sum(services.send_deliveries(deliveries).values())


def on_decision_recorded(sender, *, decision, recipient_ids, **kwargs) -> None:
    """The receiver of `campaigns.signals.decision_recorded`."""
    suggestion = decision.suggestion
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Decision on the suggestion “%(title)s”: %(outcome)s") % {
            "title": suggestion.public_title or suggestion.title,
            "outcome": decision.get_outcome_display(),
        }
        body = decision.reason
    _notify_about(suggestion, recipient_ids, title, body, at=decision.decided_at)


def on_threshold_reached(sender, *, suggestion, recipient_ids, **kwargs) -> None:
    """The receiver of `campaigns.signals.threshold_reached`."""
    due = timezone.localtime(suggestion.response_due_at).strftime("%Y-%m-%d")
    with translation.override(settings.LANGUAGE_CODE):
        title = _("A suggestion reached the support threshold: respond by %(due)s") % {"due": due}
        body = suggestion.public_title or suggestion.title
    _notify_about(suggestion, recipient_ids, title, body, at=suggestion.threshold_reached_at)


def _notify_about(suggestion, recipient_ids, title: str, body: str, *, at: datetime) -> None:
    """In-app notifications linking to the suggestion, now; their e-mails after the commit."""
    ids = services.notify_staff(
        users=User.objects.filter(pk__in=recipient_ids),
        kind=Notification.Kind.CAMPAIGN,
        title=title[:200],
        body=body,
        url=reverse("campaigns:suggestion", args=[suggestion.pk]),
        at=at,
    )
    if ids:
        transaction.on_commit(lambda: send_decision_deliveries.enqueue(ids))


def send_response_reminders(now: datetime) -> dict[str, int]:
    """Remind the organiser (and the moderators of the campaign's region) of public responses
    due within one working day and of missed ones, once per stage: a repeated tick finds the
    stage claimed (`campaigns.services.claim_response_reminder`) and sends nothing. Returns how
    many notifications went out per stage."""
    sent = {}
    for stage in campaign_selectors.RESPONSE_STAGES:
        count = 0
        for suggestion in campaign_selectors.responses_to_remind(now, stage).iterator(
            chunk_size=500
        ):
            count += _remind_response(suggestion, stage, now)
        sent[stage] = count
    return sent


def _remind_response(suggestion, stage: str, now: datetime) -> int:
    campaign = suggestion.campaign
    recipients = set(campaign_selectors.organiser_user_ids(campaign))
    recipients |= set(campaign_selectors.campaign_moderator_ids(campaign))
    due = timezone.localtime(suggestion.response_due_at).strftime("%Y-%m-%d %H:%M")
    with translation.override(settings.LANGUAGE_CODE):
        if stage == "overdue":
            title = _("The response to a suggestion is overdue (due %(due)s)") % {"due": due}
        else:
            title = _("Respond to a suggestion by %(due)s") % {"due": due}
        body = _("“%(title)s” in the campaign “%(campaign)s” reached %(n)d supports.") % {
            "title": suggestion.public_title or suggestion.title,
            "campaign": campaign.title,
            "n": suggestion.support_count,
        }
    with transaction.atomic():
        if not campaign_services.claim_response_reminder(suggestion_id=suggestion.pk, stage=stage):
            return 0
        ids = services.notify_staff(
            users=User.objects.filter(pk__in=recipients, is_active=True),
            kind=Notification.Kind.CAMPAIGN,
            title=title[:200],
            body=body,
            url=reverse("campaigns:suggestion", args=[suggestion.pk]),
            at=now,
        )
    services.send_deliveries(Delivery.objects.filter(notification_id__in=ids))
    return len(ids)
