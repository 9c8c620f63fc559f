"""Background work for reports: the daily hot-issue run.

`liuyan tick` runs every few minutes and calls `queue_daily_hot_issues(now=...)`; the first call
of each Shanghai day queues one run for the task worker, later calls that day do nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from liuyan.core.clock import SHANGHAI

from . import services
from .models import HotIssueRun


@task()
def refresh_hot_issues_task(run_id: int) -> int:
    """Compute the hot issues for a queued run; returns the number of staff-view messages."""
    run = HotIssueRun.objects.get(pk=run_id)
    return services.refresh_hot_issues(now=timezone.now(), run=run).staff_messages


def queue_daily_hot_issues(*, now: datetime) -> bool:
    """Queue today's run unless one was queued today already (Asia/Shanghai); True if queued."""
    with transaction.atomic():
        run, created = HotIssueRun.objects.get_or_create(
            day=now.astimezone(SHANGHAI).date(), defaults={"queued_at": now}
        )
        if created:
            transaction.on_commit(lambda: refresh_hot_issues_task.enqueue(run.pk))
    return created
