"""Message serial numbers: the Shanghai day as YYYYMMDD and the day's running number in six
digits, e.g. 20260302000017.

Numbers come from one SerialCounter row per day, never from the day's highest serial plus one:
reading MAX() and inserting afterwards lets two submissions in the same instant read the same
maximum, and the loser fails on the unique serial. Incrementing the row first takes its lock
(PostgreSQL's row lock; on SQLite the IMMEDIATE transaction already holds the write lock), so the
next submission of the day waits until this one commits or rolls back, and a rolled-back
submission gives its number back. The lock is held to the end of the caller's transaction, so
allocate as late as possible, just before the message is saved.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db import connection
from django.db.models import F, Max
from django.db.models.functions import Substr

from liuyan.core.clock import SHANGHAI

from .models import Message, SerialCounter

PREFIX = 8  # YYYYMMDD
DIGITS = 6
SERIAL = re.compile(rf"^\d{{{PREFIX}}}\d{{{DIGITS}}}$")


def next_serial(at: datetime) -> str:
    """The next serial of the day `at` falls on. Call inside the transaction that saves it."""
    day = at.astimezone(SHANGHAI).date()
    number = _increment(day)
    if number is None:
        _create_counter(day)
        number = _increment(day)
    return f"{day:%Y%m%d}{number:0{DIGITS}d}"


def _increment(day: date) -> int | None:
    """Add one to the day's counter under its lock; None when the day has no row yet."""
    if not SerialCounter.objects.filter(day=day).update(last=F("last") + 1):
        return None
    return SerialCounter.objects.values_list("last", flat=True).get(day=day)


def _create_counter(day: date) -> None:
    """The day's first submission makes its row. Two first submissions at once both try: the
    INSERT ... ON CONFLICT DO NOTHING of the second waits for the first and then does nothing.
    The row starts after any serial already stored for the day (messages loaded in bulk)."""
    _create_counters({day: _highest_stored_number(day)})


def _highest_stored_number(day: date) -> int:
    prefix = f"{day:%Y%m%d}"
    last = (
        Message.objects.filter(serial__startswith=prefix)
        .order_by("-serial")
        .values_list("serial", flat=True)
        .first()
    )
    return int(last[PREFIX:]) if last and SERIAL.match(last) else 0


def sync_counters(messages=None, counters=None) -> int:
    """Move every day's counter up to the highest serial stored for that day, for serials written
    without `next_serial` (the demo's bulk loader, the migration that made the counters). Pass
    the historical models from a migration. Returns how many days it looked at."""
    messages = messages or Message
    counters = counters or SerialCounter
    highest = _highest_by_day(messages)
    existing = dict(counters.objects.filter(day__in=highest).values_list("day", "last"))
    behind = [
        counters(day=day, last=number)
        for day, number in highest.items()
        if existing.get(day, -1) < number
    ]
    counters.objects.bulk_create(
        behind, update_conflicts=True, unique_fields=["day"], update_fields=["last"], batch_size=500
    )
    return len(highest)


def _highest_by_day(messages) -> dict[date, int]:
    rows = (
        messages.objects.annotate(prefix=Substr("serial", 1, PREFIX))
        .values("prefix")
        .annotate(last=Max("serial"))
        .values_list("prefix", "last")
    )
    highest = {}
    for prefix, last in rows:
        if not SERIAL.match(last or ""):
            continue  # not a serial this module made; nothing to continue from
        try:
            day = date.fromisoformat(prefix)  # YYYYMMDD
        except ValueError:
            continue
        highest[day] = int(last[PREFIX:])
    return highest


def reserve_serials(counts: dict[date, int]) -> dict[date, list[str]]:
    """`counts[day]` consecutive serials of each day at once, for messages loaded in bulk at
    their own times (board.services.history). The days' counter rows are made where missing,
    then locked and moved on together, as `next_serial` moves one: a submission on one of those
    days waits for the import's transaction instead of taking the same numbers."""
    wanted = {day: count for day, count in counts.items() if count > 0}
    if not wanted:
        return {}
    known = set(_counter_days(wanted))
    missing = sorted(day for day in wanted if day not in known)
    # History older than the platform: no serial at all on those days, which one range query
    # of the unique index shows; otherwise each day's highest stored serial, day by day.
    stored = (
        missing
        and Message.objects.filter(
            serial__gte=f"{missing[0]:%Y%m%d}", serial__lt=f"{missing[-1]:%Y%m%d}:"
        ).exists()
    )
    highest = _highest_stored_on(missing) if stored else {}
    _create_counters({day: highest.get(day, 0) for day in missing})
    result = {}
    for day, last in _add_to_counters(wanted).items():
        first = last - wanted[day] + 1
        result[day] = [f"{day:%Y%m%d}{number:0{DIGITS}d}" for number in range(first, last + 1)]
    return result


# Plain statements through the database's own cursor: an import reserves the serials of a few
# hundred days a batch, and building and saving a model instance per day (three times) was most of
# the reservation's time.


def _create_counters(starts: dict[date, int]) -> None:
    """Counter rows for the days of `starts`, each at its start; a row that exists meanwhile (a
    submission of that day, an import) is left as it is."""
    if not starts:
        return
    table = connection.ops.quote_name(SerialCounter._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as wrapper:
        wrapper.cursor.executemany(
            f'INSERT INTO {table} ("day", "last") VALUES (%s, %s) '  # noqa: S608
            'ON CONFLICT ("day") DO NOTHING',
            [(adapt(day), last) for day, last in sorted(starts.items())],
        )


def _add_to_counters(counts: dict[date, int]) -> dict[date, int]:
    """Move each day's counter on by its count, in one statement per 500 days, in the order of the
    days (the order every reservation locks them in), and return each day's new last number.
    Every row exists (`_create_counters`), so each upsert updates: the row is locked as
    `_increment` locks it."""
    table = connection.ops.quote_name(SerialCounter._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    lasts: dict[date, int] = {}
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for chunk in _chunked(sorted(counts), 500):
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f'INSERT INTO {table} ("day", "last") VALUES {values} '  # noqa: S608
                f'ON CONFLICT ("day") DO UPDATE SET "last" = {table}."last" + excluded."last" '
                'RETURNING "day", "last"',
                [value for day in chunk for value in (adapt(day), counts[day])],
            )
            for day, last in cursor.fetchall():
                lasts[day if isinstance(day, date) else date.fromisoformat(day)] = last
    return lasts


def _chunked(days: list[date], size: int) -> list[list[date]]:
    return [days[i : i + size] for i in range(0, len(days), size)]


def _counter_days(days) -> list[date]:
    found: list[date] = []
    for chunk in _chunked(sorted(days), 500):
        found.extend(SerialCounter.objects.filter(day__in=chunk).values_list("day", flat=True))
    return found


def _highest_stored_on(days: list[date]) -> dict[date, int]:
    """The highest number stored on each of `days` (days without one left out), with one
    statement per 200 days: a scalar subquery per day, each a range of the unique serial index
    (a LIKE prefix is not answered by SQLite's index; a query per day was most of the serials'
    share of an import whose days were new to the counters but not to the messages)."""
    table = connection.ops.quote_name(Message._meta.db_table)
    column = connection.ops.quote_name("serial")
    one = f"(SELECT MAX({column}) FROM {table} WHERE {column} >= %s AND {column} < %s)"  # noqa: S608
    highest: dict[date, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunked(days, 200):
            params: list[str] = []
            for day in chunk:
                params.extend([f"{day:%Y%m%d}", f"{day:%Y%m%d}:"])
            cursor.execute("SELECT " + ", ".join([one] * len(chunk)), params)
            for day, last in zip(chunk, cursor.fetchone(), strict=True):
                if last and SERIAL.match(last):
                    highest[day] = int(last[PREFIX:])
    return highest
