"""Telling a suggestion's proposer and supporters what a unit decided (采纳意见), and the
organiser that a suggestion reached its campaign's support threshold.

`campaigns` sends `decision_recorded` inside the deciding transaction; the in-app notifications
are written in that same transaction, their e-mails go out after the commit from the task worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from liuyan.accounts.models import User

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
    ids = services.notify_staff(
        users=User.objects.filter(pk__in=recipient_ids),
        kind=Notification.Kind.CAMPAIGN,
        title=title[:200],
        body=body,
        url=reverse("campaigns:suggestion", args=[suggestion.pk]),
        at=decision.decided_at,
    )
    if ids:
        transaction.on_commit(lambda: send_decision_deliveries.enqueue(ids))


def on_threshold_reached(sender, *, suggestion, recipient_ids, **kwargs) -> None:
    """The receiver of `campaigns.signals.threshold_reached`."""
    due = timezone.localtime(suggestion.response_due_at).strftime("%Y-%m-%d")
    with translation.override(settings.LANGUAGE_CODE):
        title = _("A suggestion reached the support threshold: respond by %(due)s") % {"due": due}
        body = suggestion.public_title or suggestion.title
    ids = services.notify_staff(
        users=User.objects.filter(pk__in=recipient_ids),
        kind=Notification.Kind.CAMPAIGN,
        title=title[:200],
        body=body,
        url=reverse("campaigns:suggestion", args=[suggestion.pk]),
        at=suggestion.threshold_reached_at,
    )
    if ids:
        transaction.on_commit(lambda: send_decision_deliveries.enqueue(ids))
