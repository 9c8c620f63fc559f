"""`liuyan hot-issues`: compute the hot issues now, in this process.

The daily run goes through the task worker (`liuyan tick` queues it). This command does the same
computation at once, for a site without a worker yet, after an import, or right after the demo
data is loaded, so that the hot-issue pages are not empty until the next day.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.reports.models import HotIssue
from liuyan.reports.services import WINDOW_DAYS, refresh_hot_issues


class Command(BaseCommand):
    help = _("Compute the hot issues now, as the daily run does, without the task worker.")

    def handle(self, *args, **options):
        run = refresh_hot_issues(now=timezone.now())
        issues = HotIssue.objects.filter(run=run)
        self.stdout.write(
            _(
                "Hot issues of the last %(days)d days: %(staff)d for staff from %(staff_messages)d "
                "messages, %(public)d public from %(public_messages)d public messages."
            )
            % {
                "days": WINDOW_DAYS,
                "staff": issues.filter(is_public_view=False).count(),
                "staff_messages": run.staff_messages,
                "public": issues.filter(is_public_view=True).count(),
                "public_messages": run.public_messages,
            }
        )
