"""Reads of the directory: the working calendar, clock rules, staff roles."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache

from liuyan.core.clock import Clock, ClockRules, RememberingCalendar, WorkCalendar

from .models import CalendarYear, ClockRule, Domain, Holiday, Region, Unit

_CALENDAR_CACHE_KEY = "directory:work-calendar:v1"
_CALENDAR_SECONDS = 3600


def work_calendar() -> WorkCalendar:
    """The holiday table as a WorkCalendar; cached, and dropped whenever the table changes."""
    calendar = cache.get(_CALENDAR_CACHE_KEY)
    if calendar is None:
        calendar = load_work_calendar()
        cache.set(_CALENDAR_CACHE_KEY, calendar, _CALENDAR_SECONDS)
    return calendar


def load_work_calendar() -> WorkCalendar:
    holidays: list[date] = []
    workdays: list[date] = []
    for day, is_working_day in Holiday.objects.values_list("date", "is_working_day"):
        (workdays if is_working_day else holidays).append(day)
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkCalendar.from_days(holidays=holidays, workdays=workdays, known_years=years)


def forget_work_calendar() -> None:
    cache.delete(_CALENDAR_CACHE_KEY)


_RULE_FIELDS = (
    "screen_days",
    "accept_days",
    "accept_days_urgent",
    "reply_days",
    "reply_days_urgent",
    "extension_days",
    "rating_window_days",
)


def clock_rules_for(*, unit: Unit | None = None, region: Region | None = None) -> ClockRules:
    """The rule closest to the work: the unit's own, else its region's or the nearest above."""
    rule = None
    if unit is not None:
        rule = ClockRule.objects.filter(unit=unit).first()
        region = region or unit.region
    while rule is None and region is not None:
        rule = ClockRule.objects.filter(region=region).first()
        region = region.parent
    if rule is None:
        return ClockRules()
    return ClockRules(**{name: getattr(rule, name) for name in _RULE_FIELDS})


def clock_for(
    *, unit: Unit | None = None, region: Region | None = None, remember: bool = False
) -> Clock:
    """The clock of a message of `region` handled by `unit`; `remember` for bulk work, whose
    many deadlines fall on few days (each is then worked out once)."""
    calendar = work_calendar()
    rules = clock_rules_for(unit=unit, region=region)
    return Clock(RememberingCalendar(calendar) if remember else calendar, rules)


def region_paths() -> dict[int, tuple[int, ...]]:
    """Every region's id path from the top (province, prefecture, county): one query of the
    whole tree, which is a few thousand rows, instead of walking parents per region."""
    # The top regions have no parent: the plugin types parent_id as never null here.
    parents: dict[int, int | None] = dict(Region.objects.values_list("pk", "parent_id"))
    paths: dict[int, tuple[int, ...]] = {}

    def path_of(pk: int) -> tuple[int, ...]:
        if pk not in paths:
            parent = parents[pk]
            paths[pk] = (*path_of(parent), pk) if parent is not None else (pk,)
        return paths[pk]

    for pk in parents:
        path_of(pk)
    return paths


def domain_tree(*, max_level: int = 3) -> list[tuple[str, list[tuple[int, str]]]]:
    """The domain tree as select groups, in tree order: one group per first-level domain,
    holding the domain itself, each second-level one and, under it, its third-level ones
    named with their parent (物业管理 › 物业收费), so a flat list never loses its parents.
    One query; the whole tree is a few hundred rows."""
    rows = list(
        Domain.objects.filter(level__lte=max_level)
        .order_by("level", "position", "name")
        .values_list("pk", "name", "level", "parent_id")
    )
    children: dict[int | None, list[tuple[int, str, int, int | None]]] = {}
    for row in rows:
        children.setdefault(row[3], []).append(row)
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for pk, name, _level, _parent in children.get(None, []):
        options = [(pk, name)]
        for child_pk, child_name, _l, _p in children.get(pk, []):
            options.append((child_pk, f"\u3000{child_name}"))
            for grand_pk, grand_name, _l3, _p3 in children.get(child_pk, []):
                options.append((grand_pk, f"\u3000\u3000{child_name} › {grand_name}"))
        groups.append((name, options))
    return groups
