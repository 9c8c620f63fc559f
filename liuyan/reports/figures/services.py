"""Writes of the roll-ups: `count_message` after every lifecycle step, `rebuild` from scratch.

`count_message` runs inside the step's transaction (the `board.signals.event_recorded`
receiver, connected in `ReportsConfig.ready()`): the step and its figures commit together or
not at all. The message row is locked by the step, so two steps on one message never interleave;
steps on different messages add to shared rows with one INSERT … ON CONFLICT DO UPDATE SET
n = n + excluded.n, which PostgreSQL and SQLite both run atomically, rows in a fixed order so
that two transactions lock them in the same order (no deadlock).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from datetime import date

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from liuyan.board.bulk import copy_line, insert_rows
from liuyan.board.models import Event, Message
from liuyan.core.lifecycle import Action

from . import facts as facts_module
from . import workers
from .measures import (
    MEASURES,
    Contribution,
    Facts,
    RowKey,
    contribution,
    difference,
    total_contribution,
)
from .models import Figure, MessageFigures

# Steps that change nothing a figure counts: skipped without reading the message again.
# The property test (tests/reports/test_figures_stateful.py) would catch a wrong entry here.
UNCOUNTED_ACTIONS = frozenset(
    {
        Action.DRAFT_REPLY,
        Action.SUBMIT_FOR_SIGNOFF,
        Action.REFUSE_SIGNOFF,
        Action.INVITE_CO,
        Action.CONTRIBUTE,
        Action.REQUEST_EXTENSION,
        Action.DENY_EXTENSION,
        Action.THANK,
        Action.INSTRUCT,
    }
)
BATCH_PARAMETERS = 30_000  # per INSERT: under SQLite's limit of 32,766


def on_event_recorded(sender, event: Event, **kwargs) -> None:
    """The `event_recorded` receiver: count the message again, in the step's transaction."""
    if event.action in UNCOUNTED_ACTIONS:
        return
    count_message(event.message_id)


def count_message(message_id: int) -> None:
    """Bring the roll-ups up to date with one message: add what its facts add now, take away
    what they added when last counted."""
    new = facts_module.facts_for([message_id]).get(message_id)
    stored = MessageFigures.objects.filter(message_id=message_id).first()
    old = facts_module.from_row(stored) if stored is not None else None
    if new == old:
        return
    add_to_rows(difference(contribution(new), contribution(old)))
    if new is None:
        MessageFigures.objects.filter(message_id=message_id).delete()
    else:
        MessageFigures.objects.update_or_create(
            message_id=message_id, defaults=facts_module.row_values(new)
        )


def on_history_imported(sender, message_ids: list[int], written=None, **kwargs) -> None:
    """The `history_imported` receiver: count a batch of imported messages, in its transaction,
    from the rows the import wrote when it sends them (see `board.signals`)."""
    new = None
    if written is not None:
        new = facts_module.facts_of_written(
            written.messages,
            leads=written.leads,
            first_accept=written.first_accept,
            first_reply=written.first_reply,
        )
    count_messages(message_ids, new=new)


def count_messages(message_ids: list[int], *, new: dict[int, Facts] | None = None) -> None:
    """`count_message` for many messages at once, with a fixed number of queries (as a
    rebuild's chunk): what their facts add now, less what they added when last counted.
    `new`: their facts when the caller has them (an import's rows in hand)."""
    ids = list(message_ids)
    if not ids:
        return
    if new is None:
        new = facts_module.facts_for(ids)
    stored = MessageFigures.objects.filter(message_id__in=ids)
    old = [facts_module.from_row(row) for row in stored]
    delta = difference(total_contribution(new.values()), total_contribution(old))
    if len(delta) > 50:  # a batch of thousands: through COPY on PostgreSQL
        _add_many_rows(delta)
    else:
        add_to_rows(delta)
    if old:
        MessageFigures.objects.filter(message_id__in=ids).delete()
    insert_rows(
        MessageFigures,
        [{"message_id": pk, **facts_module.row_values(f)} for pk, f in new.items()],
        timezone.now(),
        returning=False,
    )


def add_to_rows(delta: Contribution) -> None:
    """Add `delta` to the Figure rows, creating the rows that do not exist yet.

    Only the counters that change are named (a step changes a handful of the 65): statements
    with thousands of parameters took PostgreSQL over a millisecond a row to prepare.
    """
    if not delta:
        return
    q = connection.ops.quote_name
    table = q(Figure._meta.db_table)
    changed = sorted({name for counts in delta.values() for name in counts}, key=MEASURES.index)
    columns = ", ".join(q(c) for c in ["public", "kind", "key", "period", "start", *changed])
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in changed)
    conflict = ", ".join(q(c) for c in ["kind", "key", "public", "period", "start"])
    placeholders = "(" + ", ".join(["%s"] * (5 + len(changed))) + ")"
    keys: list[RowKey] = sorted(delta, key=_lock_order)
    per_statement = max(1, BATCH_PARAMETERS // (5 + len(changed)))
    zeros = [0] * len(changed)
    with connection.cursor() as wrapper:
        # The database's own cursor: Django's debug wrapper would format every parameter of
        # these wide statements into its query log (most of a rebuild's time with DEBUG on).
        cursor = wrapper.cursor
        for first in range(0, len(keys), per_statement):
            chunk = keys[first : first + per_statement]
            params: list = []
            for key in chunk:
                counts = delta[key]
                params.extend(key)
                params.extend(map(counts.get, changed, zeros))  # in C: 45 columns a row
            # Only our own quoted column names are formatted in; every value is a parameter.
            values = ", ".join([placeholders] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
            cursor.execute(sql + f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}", params)


def _add_many_rows(delta: Contribution) -> None:
    """`add_to_rows` for a rebuild's chunk (thousands of rows, every counter): on PostgreSQL
    through COPY into a temporary table and one INSERT … SELECT, 30 times faster there."""
    if connection.vendor != "postgresql":
        add_to_rows(delta)
        return
    q = connection.ops.quote_name
    table = q(Figure._meta.db_table)
    names = ["public", "kind", "key", "period", "start", *MEASURES]
    columns = ", ".join(q(c) for c in names)
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in MEASURES)
    conflict = ", ".join(q(c) for c in ["kind", "key", "public", "period", "start"])
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS figure_stage AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE figure_stage")
        with cursor.copy(f"COPY figure_stage ({columns}) FROM STDIN") as copy:
            for key in sorted(delta, key=_lock_order):
                counts = delta[key]
                copy.write_row([*key, *(counts.get(m, 0) for m in MEASURES)])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM figure_stage "  # noqa: S608
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )


def _lock_order(key: RowKey) -> tuple[str, str, bool, str, date]:
    public, kind, slice_key, period, start = key
    return kind, slice_key, public, period, start


# --- rebuild ------------------------------------------------------------------------------

REBUILD_CHUNK = 2000


def rebuild(
    *,
    chunk: int = REBUILD_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
) -> int:
    """Recompute every roll-up from the messages, in one transaction (readers see the old
    figures until it commits). Memory stays bounded: each chunk of messages is counted and
    added to the table, then forgotten. Returns the number of messages counted.

    On PostgreSQL a big rebuild counts on every core (see :func:`_rebuild_in_parallel`);
    `processes` forces a number of worker processes (1: count here, as SQLite always does).
    """
    total = Message.objects.count()
    if processes is None:
        processes = (os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
    if processes > 1 and _can_count_in_parallel():
        return _rebuild_in_parallel(total, chunk=chunk, progress=progress, processes=processes)
    done = 0
    with transaction.atomic():
        Figure.objects.all().delete()
        MessageFigures.objects.all().delete()
        last = 0
        while True:
            ids = list(
                Message.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                break
            found = facts_module.facts_for(ids)
            _add_many_rows(total_contribution(found.values()))
            MessageFigures.objects.bulk_create(
                MessageFigures(message_id=pk, **facts_module.row_values(f))
                for pk, f in found.items()
            )
            done += len(ids)
            last = ids[-1]
            if progress is not None:
                progress(done, total)
        _analyze()
    return done


def _analyze() -> None:
    """Fresh planner statistics for the rebuilt tables. Without them PostgreSQL estimated one
    row for any read and chose the (kind, period, start) index for a slice's own rows: at 100k
    messages the leader's dashboard read 17,541 buffers instead of 783 (bench/figures.py
    --explain). ANALYZE runs in the transaction and samples the rows it wrote."""
    if connection.vendor != "postgresql":
        return
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Figure, MessageFigures):
            cursor.execute(f"ANALYZE {q(model._meta.db_table)}")


# --- rebuild on every core (PostgreSQL) ---------------------------------------------------

# From this many messages on, a rebuild counts in worker processes: starting them (a Django
# setup each) costs a second or two.
PARALLEL_FROM = 20_000
# Chunks staged before their rows are summed into Figure (the same sums as the serial rebuild's
# INSERT … ON CONFLICT per chunk, a hundredth as many statements).
FLUSH_EVERY = 100


def _can_count_in_parallel() -> bool:
    """Workers read the committed messages on connections of their own: PostgreSQL only (a
    SQLite file's writer would lock its readers out), never inside a caller's transaction
    (the workers would not see its rows)."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and "spawn" in multiprocessing.get_all_start_methods()
    )


def _rebuild_in_parallel(
    total: int, *, chunk: int, progress: Callable[[int, int], None] | None, processes: int
) -> int:
    """`rebuild` with the counting in worker processes; the same figures, to the row.

    Reading a chunk's facts and summing what they add (`facts_for`, `total_contribution`) was
    nearly two thirds of a rebuild, and the ORM's inserts of the facts rows most of the rest
    (measured at 50,000 messages). Each worker counts a range of message ids with exactly that
    code and hands back COPY text: the chunk's Figure rows and its MessageFigures rows. This
    process streams both in, the Figure rows into a temporary table, and sums them into the
    emptied Figure table with one INSERT … SELECT … GROUP BY … ON CONFLICT every FLUSH_EVERY
    chunks and at the end: the same sums as the serial rebuild's INSERT … ON CONFLICT per chunk.

    Workers are spawned, not forked: a fork would share this process's database socket (or its
    pool's). They connect to the database this process uses (a test database too).
    """
    q = connection.ops.quote_name
    table = q(Figure._meta.db_table)
    keys = ["public", "kind", "key", "period", "start"]
    columns = ", ".join(q(c) for c in [*keys, *MEASURES])
    key_columns = ", ".join(q(c) for c in keys)
    sums = ", ".join(f"SUM({q(m)})::integer" for m in MEASURES)
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in MEASURES)
    conflict = ", ".join(q(c) for c in ["kind", "key", "public", "period", "start"])
    add_parts = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"SELECT {key_columns}, {sums} FROM figure_parts GROUP BY {key_columns} "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    facts_table = q(MessageFigures._meta.db_table)
    facts_columns = ", ".join(q(c) for c in _facts_columns())
    bounds = Message.objects.aggregate(first=Min("pk"), last=Max("pk"))
    done = 0
    context = multiprocessing.get_context("spawn")
    name = connection.settings_dict["NAME"]
    with (
        context.Pool(processes, initializer=workers.start, initargs=(name,)) as pool,
        transaction.atomic(),
    ):
        Figure.objects.all().delete()
        MessageFigures.objects.all().delete()
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute(
                f"CREATE TEMP TABLE figure_parts ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            if bounds["first"] is not None:
                ranges = _id_ranges(bounds["first"], bounds["last"], chunk)
                staged = 0
                for counted, figures, facts in pool.imap_unordered(workers.count_range, ranges):
                    with cursor.copy(f"COPY figure_parts ({columns}) FROM STDIN") as copy:
                        copy.write(figures)
                    with cursor.copy(f"COPY {facts_table} ({facts_columns}) FROM STDIN") as copy:
                        copy.write(facts)
                    done += counted
                    staged += 1
                    if staged == FLUSH_EVERY:  # keeps the temporary table small at any size
                        cursor.execute(add_parts)
                        cursor.execute("TRUNCATE figure_parts")
                        staged = 0
                    if progress is not None:
                        progress(done, total)
            cursor.execute(add_parts)
        _analyze()
    return done


def _id_ranges(first: int, last: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(first, last + 1, size):
        yield start, min(start + size, last + 1)


def _facts_columns() -> list[str]:
    return [f.column for f in MessageFigures._meta.concrete_fields]


def count_range(bounds: tuple[int, int]) -> tuple[int, bytes, bytes]:
    """In a worker: the messages with ids in [first, last), counted as `rebuild` counts a chunk;
    their Figure rows and MessageFigures rows as COPY text."""
    first, last = bounds
    ids = list(
        Message.objects.filter(pk__gte=first, pk__lt=last)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = facts_module.facts_for(ids)
    delta = total_contribution(found.values())
    figures = "".join(
        copy_line([*key, *(counts.get(m, 0) for m in MEASURES)]) for key, counts in delta.items()
    )
    columns = [c for c in _facts_columns() if c != "message_id"]
    facts = "".join(
        copy_line([pk, *(values[c] for c in columns)])
        for pk, values in ((pk, facts_module.row_values(f)) for pk, f in found.items())
    )
    return len(ids), figures.encode(), facts.encode()
