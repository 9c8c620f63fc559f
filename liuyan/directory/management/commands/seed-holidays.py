"""`liuyan seed-holidays`: official holidays and make-up working days from chinese-calendar."""

from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.directory import services
from liuyan.directory.holidays import package_holiday_rows, supported_years

from ._report import print_counts


class Command(BaseCommand):
    help = _(
        "Seed holidays, make-up working days and calendar years from the chinese-calendar "
        "package (the years it knows)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = perf_counter()
        years = supported_years()
        rows = package_holiday_rows(years)
        self.stdout.write(
            _("chinese-calendar knows %(first)d–%(last)d: %(count)d days differ from Mon–Fri.")
            % {"first": years[0], "last": years[-1], "count": len(rows)}
        )
        result = services.seed_holidays(rows=rows, years=years)
        labels = {
            services.DAY_OFF: _("weekday days off"),
            services.MAKEUP: _("weekend make-up working days"),
            "years": _("calendar years"),
        }
        print_counts(self, result, labels=labels)
        if result.deleted:
            self.stdout.write(
                _("%(count)d days no longer listed by the package were removed.")
                % {"count": result.deleted}
            )
        if result.kept:
            self.stdout.write(
                _("%(count)d days entered by an administrator were kept as they are.")
                % {"count": result.kept}
            )
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": perf_counter() - started})
