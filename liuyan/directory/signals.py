"""Keep the cached WorkCalendar in step with the holiday table.

Bulk loaders call `services.calendar_changed()` themselves (bulk queries send no signals);
these receivers cover every single save and delete, e.g. from the admin.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .aliases import aliases_text
from .models import Board, CalendarYear, Holiday, Region, Unit
from .services import calendar_changed


@receiver(post_save, sender=Holiday, dispatch_uid="directory.holiday_saved")
@receiver(post_delete, sender=Holiday, dispatch_uid="directory.holiday_deleted")
@receiver(post_save, sender=CalendarYear, dispatch_uid="directory.calendar_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="directory.calendar_year_deleted")
def forget_calendar_on_change(sender: type, **kwargs: Any) -> None:
    calendar_changed()


@receiver(pre_save, sender=Unit, dispatch_uid="directory.unit_aliases")
@receiver(pre_save, sender=Board, dispatch_uid="directory.board_aliases")
def fill_aliases(sender: type, instance: Unit | Board, **kwargs: Any) -> None:
    """A unit or board saved without short names gets the common ones for its name (住建局)."""
    if not instance.aliases and instance.name:
        region = Region.objects.filter(pk=instance.region_id).only("name").first()
        instance.aliases = aliases_text(instance.name, region.name if region else "")
