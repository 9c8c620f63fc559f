"""`liuyan check-calendar`: are this year's and next year's holidays entered?

Exits with status 1 when the current year is missing, so that a cron job or a deployment check
notices before deadlines are computed on a plain Monday–Friday week.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liuyan.directory.holidays import missing_calendar_years, missing_year_warning, years_to_check


class Command(BaseCommand):
    help = _("Check that the current and the next year (Asia/Shanghai) have holiday data.")

    def handle(self, *args: Any, **options: Any) -> None:
        current, following = years_to_check()
        missing = missing_calendar_years()
        for year in (current, following):
            if year in missing:
                self.stdout.write(self.style.WARNING(missing_year_warning(year)))
            else:
                self.stdout.write(
                    self.style.SUCCESS(_("OK: %(year)d has holiday data.") % {"year": year})
                )
        if current in missing:
            raise CommandError(
                _("The current year %(year)d has no holiday data.") % {"year": current},
                returncode=1,
            )
