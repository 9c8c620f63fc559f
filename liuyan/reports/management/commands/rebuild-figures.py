"""`liuyan rebuild-figures`: recompute every roll-up from the messages.

Lifecycle steps keep the figures up to date as they happen; this command is for after a bulk
load or import that wrote messages without the lifecycle service (`demo-data --messages`), or
after a change in what is counted. Memory stays bounded (chunks of messages); progress is shown.
"""

import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.reports.figures.services import REBUILD_CHUNK, rebuild


class Command(BaseCommand):
    help = _("Recompute every figure (roll-up) from the messages, in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk", type=int, default=REBUILD_CHUNK, help=_("Messages read at a time.")
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= 2 or done >= total:
                shown[0] = now
                self.stderr.write(
                    _("%(done)d of %(total)d messages counted (%(seconds).0f s)")
                    % {"done": done, "total": total, "seconds": now - started}
                )
                sys.stderr.flush()

        counted = rebuild(chunk=max(1, options["chunk"]), progress=progress)
        self.stdout.write(
            _("Figures rebuilt from %(count)d messages in %(seconds).1f s.")
            % {"count": counted, "seconds": time.monotonic() - started}
        )
