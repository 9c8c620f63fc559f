"""Telling a region's leaders that an issue of the weekly digest 民声摘报 is out.

`reports` sends `digest_published` inside the publishing transaction; the in-app notifications
(and their e-mail deliveries) are written in that same transaction, so an issue is never
published without them. The e-mails go out after the commit, from the task worker.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from liuyan.accounts.models import User

from . import services
from .models import Delivery, Notification


@task()
def send_digest_deliveries(notification_ids: list[int]) -> int:
    """Send the e-mails of a digest's notifications (each delivery is claimed once)."""
    deliveries = Delivery.objects.filter(notification_id__in=notification_ids)
    return sum(services.send_deliveries(deliveries).values())


def on_digest_published(sender, *, digest, recipient_ids, **kwargs) -> None:
    """The receiver of `reports.signals.digest_published`."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Weekly digest %(issue)s is out") % {"issue": str(digest)}
        body = _("%(items)d items for your instructions.") % {"items": digest.items.count()}
    ids = services.notify_staff(
        users=User.objects.filter(pk__in=recipient_ids),
        kind=Notification.Kind.DIGEST,
        title=title,
        body=body,
        url=reverse("reports:digest", args=[digest.pk]),
        at=digest.published_at,
    )
    if ids:
        transaction.on_commit(lambda: send_digest_deliveries.enqueue(ids))
