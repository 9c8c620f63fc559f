"""`liuyan tick`: the periodic work that time alone triggers. Run it from cron every few minutes.

Every part is idempotent: running it twice in a row does nothing the second time.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import services


class Command(BaseCommand):
    help = _("Close unrated replies whose rating window is over (safe to run repeatedly).")

    def handle(self, *args, **options):
        now = timezone.now()
        closed = services.auto_close_unrated(now=now)
        self.stdout.write(_("Closed %(n)d unrated messages.") % {"n": closed})
