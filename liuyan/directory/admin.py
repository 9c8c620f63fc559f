"""Administration of the directory: regions, domains, units, boards, staff, holidays, rules.

Regions (3,400) and units (up to 20,000) are too many for select boxes: every foreign key to
them uses autocomplete, which needs `search_fields` on their admins.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .holidays import missing_calendar_years, missing_year_warning
from .models import (
    Board,
    CalendarYear,
    ClockRule,
    Domain,
    Holiday,
    Membership,
    Region,
    Unit,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    # "^code" matches a code prefix: typing 4301 finds 长沙市 and its counties.
    search_fields = ("^code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    list_per_page = 50
    show_full_result_count = False  # no COUNT over the whole table on every search


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent", "position")
    list_filter = ("level",)
    search_fields = ("name", "parent__name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("level", "parent__name", "position")


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "unit"
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "parent", "needs_head_signoff", "is_active")
    list_filter = ("is_active", "needs_head_signoff", "region__level")
    search_fields = ("name", "aliases", "region__name", "^region__code")
    autocomplete_fields = ("parent", "region", "domains")
    list_select_related = ("region", "parent")
    inlines = (MembershipInline,)
    show_full_result_count = False


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "post", "holder", "default_unit", "is_active")
    list_filter = ("kind", "is_active", "visible_to_region_leaders", "region__level")
    search_fields = ("name", "aliases", "post", "holder", "region__name", "^region__code", "email")
    autocomplete_fields = ("region", "default_unit")
    list_select_related = ("region", "default_unit")
    list_editable = ("is_active",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "region", "board")
    list_filter = ("role",)
    search_fields = ("user__username", "user__nickname", "unit__name", "board__name")
    autocomplete_fields = ("user", "unit", "region", "board")
    list_select_related = ("user", "unit", "region", "board")


if TYPE_CHECKING:
    # The mixin is only combined with ModelAdmin: typed as one, mypy knows super()'s view.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class CalendarWarningMixin(_AdminBase):
    """Warn on the changelist when this or next year has no holiday data."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        for year in missing_calendar_years():
            messages.warning(request, missing_year_warning(year))
        return super().changelist_view(request, extra_context)


@admin.register(Holiday)
class HolidayAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "weekday", "name", "is_working_day", "source")
    list_filter = ("is_working_day", "source")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)

    @admin.display(description=_("weekday"))
    def weekday(self, holiday: Holiday) -> str:
        return date_format(holiday.date, "D")


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("year", "source", "days_entered", "note")
    list_filter = ("source",)
    ordering = ("-year",)

    @admin.display(description=_("days entered"))  # one query a row: a few dozen years at most
    def days_entered(self, calendar_year: CalendarYear) -> int:
        return Holiday.objects.filter(date__year=calendar_year.year).count()


@admin.register(ClockRule)
class ClockRuleAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "region",
        "unit",
        "screen_days",
        "accept_days",
        "accept_days_urgent",
        "reply_days",
        "reply_days_urgent",
        "extension_days",
        "rating_window_days",
    )
    search_fields = ("region__name", "^region__code", "unit__name")
    autocomplete_fields = ("region", "unit")
    list_select_related = ("region", "unit")
    fieldsets = (
        (
            _("Applies to"),
            {
                "fields": ("region", "unit"),
                "description": _(
                    "Choose a region or a unit, not both. The unit's rule wins over its "
                    "region's, which wins over the regions above it."
                ),
            },
        ),
        (
            _("Working-day limits"),
            {
                "fields": (
                    "screen_days",
                    "accept_days",
                    "accept_days_urgent",
                    "reply_days",
                    "reply_days_urgent",
                    "extension_days",
                    "rating_window_days",
                )
            },
        ),
    )
