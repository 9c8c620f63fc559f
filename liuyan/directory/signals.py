"""Keep the cached WorkCalendar in step with the holiday table.

Bulk loaders call `services.calendar_changed()` themselves (bulk queries send no signals);
these receivers cover every single save and delete, e.g. from the admin.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarYear, Holiday
from .services import calendar_changed


@receiver(post_save, sender=Holiday, dispatch_uid="directory.holiday_saved")
@receiver(post_delete, sender=Holiday, dispatch_uid="directory.holiday_deleted")
@receiver(post_save, sender=CalendarYear, dispatch_uid="directory.calendar_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="directory.calendar_year_deleted")
def forget_calendar_on_change(sender: type, **kwargs: Any) -> None:
    calendar_changed()
