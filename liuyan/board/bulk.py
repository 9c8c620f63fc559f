"""Writing many rows of a model at once, faster than `bulk_create` where it matters (the import
of an old system's history: hundreds of thousands of messages, replies, assignments, records).

`bulk_create` prepares every field of every instance through the field's methods and builds
model instances first; for 30-column rows that was most of an import's time. `insert_rows`
takes plain dicts of already-clean values (str, int, bool, None, dates and times), fills the
columns a row leaves out with the field's default once per call, and writes multi-row INSERTs
through the database's own cursor (Django's debug wrapper would log and format each batch).
Only for trusted values built by our own code: no validation, no signals, no `save()`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from django.db import connection, models

AUTO = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})


def insert_rows(
    model: type[models.Model], rows: list[dict], now: datetime, *, returning: bool = True
) -> list[int]:
    """Insert `rows` (attname -> value, unadapted) into `model`'s table with multi-row INSERTs
    and return their new ids in order (RETURNING, as `bulk_create` does on both databases);
    with `returning=False`, one executemany and no ids.

    Every concrete column but an automatic id is written: a column a row does not name gets
    the field's default (prepared once per call, `auto_now` fields `now`). Per row only dates
    and times need adapting; every other value here is a str, int, bool or None already."""
    # Every column but an automatic id (a primary key that is a column of its own is written).
    fields = [f for f in model._meta.concrete_fields if f.get_internal_type() not in AUTO]
    given = set().union(*(row.keys() for row in rows)) if rows else set()
    ops = connection.ops
    constants: dict[str, object] = {}
    adapters: dict[str, Callable] = {}
    for f in fields:
        if f.attname in given:
            if isinstance(f, models.DateTimeField):
                adapters[f.attname] = ops.adapt_datetimefield_value
            elif isinstance(f, models.DateField):
                adapters[f.attname] = ops.adapt_datefield_value
        else:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = now if auto else f.get_default()
            constants[f.attname] = f.get_db_prep_save(value, connection)
    names = [f.attname for f in fields]
    quote = ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    per_statement = max(1, _parameters_per_statement() // len(names)) if returning else 1
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    ids: list[int] = []

    # Per column: its constant, or its adapter (None: the value goes as it is). A batch's rows
    # share many times (a message is submitted, screened and dispatched at once), so each
    # distinct time is adapted once per call.
    plan = [(name, name in constants, constants.get(name), adapters.get(name)) for name in names]
    adapted: dict[tuple[Callable, object], object] = {}

    def values(row: dict) -> list:
        out = []
        get = row.get
        for name, constant, fixed, adapt in plan:
            if constant:
                out.append(fixed)
                continue
            value = get(name)
            if adapt is not None and value is not None:
                key = (adapt, value)
                done = adapted.get(key)
                if done is None:
                    done = adapted[key] = adapt(value)
                value = done
            out.append(value)
        return out

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        if not returning:
            sql = f"INSERT INTO {table} ({columns}) VALUES {one}"  # noqa: S608
            for first in range(0, len(rows), 2000):
                cursor.executemany(sql, [values(row) for row in rows[first : first + 2000]])
            return []
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            params: list = []
            for row in chunk:
                params.extend(values(row))
            marks = ", ".join([one] * len(chunk))
            # Only quoted names of our own models are formatted in; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


# SQLite's own default limit since 3.32 (Django still assumes the 999 of older releases).
SQLITE_PARAMETERS = 32_766


def _parameters_per_statement() -> int:
    """How many parameters one INSERT may carry here.

    On SQLite as many as the library allows, up to `SQLITE_PARAMETERS`: a message insert fires
    the FTS trigger, whose index work has a cost per statement; in 28-row statements (Django's
    999 over 35 columns) the import's 8,894 messages took 2.0 CPU-s to insert, in 900-row ones
    1.3 s (0.4 s without the trigger)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return min(limit, SQLITE_PARAMETERS)
    return connection.features.max_query_params or 999


# --- PostgreSQL's COPY text format ------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def copy_field(value) -> str:
    """One value in PostgreSQL's COPY text format (the demo loader's and the figures rebuild's
    workers write rows this way)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()  # aware (UTC): PostgreSQL reads the offset
    return str(value).translate(_COPY_ESCAPES)  # dates, decimals, UUIDs: their text form


def copy_line(values) -> str:
    """One row in PostgreSQL's COPY text format."""
    return "\t".join([copy_field(v) for v in values]) + "\n"
