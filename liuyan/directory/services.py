"""Writes to the directory: loading regions and domains, seeding holidays.

Every loader is an idempotent upsert done with bulk queries in one transaction: a second run
with the same input changes nothing and reports so. Rows that are in the database but not in the
input are kept (messages and units may point at them) and only counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from .holidays import HolidayRow
from .models import CalendarYear, Domain, Holiday, Region
from .regions import RegionRow
from .selectors import forget_work_calendar
from .taxonomy import DomainNode

BATCH = 500


@dataclass
class LoadResult:
    """What a loader did, counted per level (or per kind for holidays)."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: int = 0
    kept: int = 0  # rows left alone: not in the input, or entered by an administrator

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.deleted)


def calendar_changed() -> None:
    """Drop the cached WorkCalendar now, and again once the transaction commits.

    The second drop matters: a request that reads the table between our first drop and the
    commit would cache the old calendar for an hour.
    """
    forget_work_calendar()
    transaction.on_commit(forget_work_calendar)


# Regions -----------------------------------------------------------------------------------


def region_ids_by_code() -> dict[str, int]:
    return dict(Region.objects.values_list("code", "id"))


@transaction.atomic
def load_regions(*, rows: Iterable[RegionRow]) -> LoadResult:
    """Create or update regions from `rows`, provinces first so that parents exist."""
    rows = list(rows)
    result = LoadResult()
    existing = {region.code: region for region in Region.objects.all()}
    ids = {code: region.pk for code, region in existing.items()}
    for level in sorted({row.level for row in rows}):
        to_create, to_update = [], []
        for row in (row for row in rows if row.level == level):
            parent_id = ids.get(row.parent_code) if row.parent_code else None
            region = existing.get(row.code)
            if region is None:
                to_create.append(
                    Region(code=row.code, name=row.name, level=row.level, parent_id=parent_id)
                )
            elif (region.name, region.level, region.parent_id) != (row.name, level, parent_id):
                region.name, region.level, region.parent_id = row.name, level, parent_id
                to_update.append(region)
            else:
                result.unchanged[level] += 1
        Region.objects.bulk_create(to_create, batch_size=BATCH)
        Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=BATCH)
        result.created[level] += len(to_create)
        result.updated[level] += len(to_update)
        if to_create:
            ids = region_ids_by_code()  # the children of the next level need the new ids
    result.kept = len(existing.keys() - {row.code for row in rows})
    return result


# Domains -----------------------------------------------------------------------------------


def domains_by_path() -> dict[tuple[str, ...], Domain]:
    domains = {domain.pk: domain for domain in Domain.objects.all()}

    def path_of(domain: Domain) -> tuple[str, ...]:
        names = []
        node: Domain | None = domain
        while node is not None:
            names.append(node.name)
            node = domains.get(node.parent_id) if node.parent_id is not None else None
        return tuple(reversed(names))

    return {path_of(domain): domain for domain in domains.values()}


@transaction.atomic
def load_domains(*, nodes: Iterable[DomainNode]) -> LoadResult:
    """Create or update the domain tree; a category is known by its path of names."""
    nodes = list(nodes)
    result = LoadResult()
    existing = domains_by_path()
    initial_paths = set(existing)
    for level in sorted({node.level for node in nodes}):
        to_create, to_update = [], []
        for node in (node for node in nodes if node.level == level):
            domain = existing.get(node.path)
            if domain is None:
                parent = existing[node.parent_path] if node.parent_path else None
                to_create.append(
                    Domain(name=node.name, level=level, parent=parent, position=node.position)
                )
            elif (domain.level, domain.position) != (level, node.position):
                domain.level, domain.position = level, node.position
                to_update.append(domain)
            else:
                result.unchanged[level] += 1
        Domain.objects.bulk_create(to_create, batch_size=BATCH)
        Domain.objects.bulk_update(to_update, ["level", "position"], batch_size=BATCH)
        result.created[level] += len(to_create)
        result.updated[level] += len(to_update)
        if to_create:
            existing = domains_by_path()
    result.kept = len(initial_paths - {node.path for node in nodes})
    return result


# Holidays ----------------------------------------------------------------------------------

MAKEUP, DAY_OFF = "make-up working days", "days off"


def kind_of(is_working_day: bool) -> str:
    return MAKEUP if is_working_day else DAY_OFF


@transaction.atomic
def seed_holidays(*, rows: Iterable[HolidayRow], years: range) -> LoadResult:
    """Upsert the package's days for `years` and mark those years as known.

    Days an administrator entered win over the package. Package days that the package no
    longer lists (a corrected schedule in a newer version) are deleted.
    """
    rows = [row for row in rows if row.date.year in years]
    result = LoadResult()
    in_years = Holiday.objects.filter(date__range=(date(years[0], 1, 1), date(years[-1], 12, 31)))
    existing = {holiday.date: holiday for holiday in in_years}
    to_create, to_update = [], []
    for row in rows:
        kind = kind_of(row.is_working_day)
        holiday = existing.get(row.date)
        if holiday is None:
            to_create.append(
                Holiday(
                    date=row.date,
                    is_working_day=row.is_working_day,
                    name=row.name,
                    source=Holiday.Source.PACKAGE,
                )
            )
            result.created[kind] += 1
        elif holiday.source != Holiday.Source.PACKAGE:
            result.kept += 1
        elif (holiday.is_working_day, holiday.name) != (row.is_working_day, row.name):
            holiday.is_working_day, holiday.name = row.is_working_day, row.name
            to_update.append(holiday)
            result.updated[kind] += 1
        else:
            result.unchanged[kind] += 1
    listed = {row.date for row in rows}
    stale = [
        holiday.pk
        for day, holiday in existing.items()
        if holiday.source == Holiday.Source.PACKAGE and day not in listed
    ]
    Holiday.objects.bulk_create(to_create, batch_size=BATCH)
    Holiday.objects.bulk_update(to_update, ["is_working_day", "name"], batch_size=BATCH)
    result.deleted, _ = Holiday.objects.filter(pk__in=stale).delete()
    result.created["years"] = add_calendar_years(years)
    result.unchanged["years"] = len(years) - result.created["years"]
    if result.changed:
        calendar_changed()
    return result


def add_calendar_years(years: range) -> int:
    """Mark `years` as known; years an administrator already added stay as they are."""
    known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    new = [
        CalendarYear(
            year=year,
            source=Holiday.Source.PACKAGE,
            note="Official holidays and make-up working days from the chinese-calendar package.",
        )
        for year in years
        if year not in known
    ]
    CalendarYear.objects.bulk_create(new)
    return len(new)
