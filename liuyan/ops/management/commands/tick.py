"""`liuyan tick`: the periodic work that time alone triggers. Run it from cron every few minutes.

Every part is idempotent: running it twice in a row does nothing the second time.

In ops because it gathers the periodic work of several apps (board, notifications, reports,
accounts, portal), each of which only offers a function; no app below ops imports another for it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.accounts.services import prune_audit_trail, prune_security_records
from liuyan.api.services import prune_api_records
from liuyan.board import services
from liuyan.board.tasks import queue_similarity_index
from liuyan.notifications.campaigns import send_response_reminders
from liuyan.notifications.dispatch import requeue_stalled_notifications
from liuyan.notifications.reminders import send_due_reminders
from liuyan.notifications.services import prune_old_notifications
from liuyan.portal import formtokens
from liuyan.portal.uploads import discard_stale_drafts
from liuyan.reports.tasks import queue_daily_hot_issues


class Command(BaseCommand):
    help = _(
        "Close unrated replies after the rating window, remind units of deadlines and "
        "organisers of campaign responses, queue the "
        "daily hot-issue run, and clear old sign-in records and abandoned drafts (safe to run "
        "repeatedly)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        closed = services.auto_close_unrated(now=now)
        self.stdout.write(_("Closed %(n)d unrated messages.") % {"n": closed})
        sent = send_due_reminders(now)
        self.stdout.write(
            _("Reminders: %(soon)d due soon, %(overdue)d overdue, %(retried)d deliveries retried.")
            % {"soon": sent["due_soon"], "overdue": sent["overdue"], "retried": sent["retried"]}
        )
        responses = send_response_reminders(now)
        self.stdout.write(
            _("Campaign responses: %(soon)d reminders due soon, %(overdue)d overdue.")
            % {"soon": responses["due_soon"], "overdue": responses["overdue"]}
        )
        requeued = requeue_stalled_notifications(now)
        if requeued:
            self.stdout.write(_("Queued %(n)d stalled notification tasks again.") % {"n": requeued})
        if queue_daily_hot_issues(now=now):
            self.stdout.write(_("Queued today's hot-issue run for the worker."))
        if queue_similarity_index():
            self.stdout.write(_("Queued a refresh of the stored similarity index."))
        pruned = prune_security_records(now=now)
        drafts = discard_stale_drafts(
            now=now, older_than=timedelta(days=settings.LIUYAN_RETENTION_DRAFT_DAYS)
        )
        self.stdout.write(
            _("Removed %(records)d old sign-in records and %(drafts)d abandoned draft images.")
            % {"records": pruned, "drafts": drafts}
        )
        notifications = prune_old_notifications(now=now)
        audited = prune_audit_trail(now=now)
        self.stdout.write(
            _("Removed %(notifications)d old notifications and %(audit)d old audit entries.")
            % {"notifications": notifications, "audit": audited}
        )

        tokens = formtokens.prune(now=now)
        self.stdout.write(_("Removed %(n)d expired write-form tokens.") % {"n": tokens})
        windows, records = prune_api_records(now=now)
        self.stdout.write(
            _("Removed %(windows)d finished API rate windows and %(records)d old idempotency keys.")
            % {"windows": windows, "records": records}
        )
