"""Load tests on every core: forked workers simulate whole days, the parent only writes.

Simulating a message's life costs several times more than inserting its rows, and SQLite takes
one writer at a time, so the work splits naturally: each worker process gets a run of whole
days (so the per-day serial numbers of two workers never meet) and an id range of its own for
messages and assignments, simulates them and returns ready-to-insert values; the parent writes
each chunk as it arrives, in plan order. Workers never touch the database: they are forked after
the world, the calendar and the day's last serials were read, and inherit them.

On SQLite a worker returns its chunk as a serialised SQLite database with the same columns
(bulk.chunk_database) and the parent copies it in with INSERT ... SELECT; on PostgreSQL it
returns each table's rows as COPY text (bulk.copy_text) that the parent streams in with COPY
FROM STDIN; elsewhere it returns ready-to-insert values for executemany.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from liuyan.board.models import Assignment, Message
from liuyan.core.clock import WorkCalendar

from .bulk import (
    ChunkMerger,
    Table,
    Writer,
    chunk_database,
    chunk_datetime_adapter,
    copy_in,
    copy_text,
)
from .schedule import CST
from .simulator import MODELS, DemoRandom, Memory, Simulator
from .world import World

# An id range per message for its assignments: lead, transfers, co-handling units and a second
# round stay far below this; the worker checks and fails loudly rather than overlap ids.
ASSIGNMENT_SLOTS = 16
CHUNK = 2500  # messages a worker simulates at a time (rounded up to whole days)


@dataclass(frozen=True)
class Inherited:
    """What every forked worker needs and reads once, before the fork."""

    world: World
    calendar: WorkCalendar
    now: datetime
    serials: dict[str, int]
    seed: int
    # SQLite: workers hand over chunk databases (bulk.chunk_database) instead of values.
    chunk_databases: bool = False
    # PostgreSQL: workers hand over each table's rows as COPY text (bulk.copy_text).
    copy_text: bool = False


_INHERITED: Inherited | None = None
# A worker's Memory, kept from one chunk to the next (each worker process starts without one).
_MEMORY: Memory | None = None


@dataclass(frozen=True)
class Job:
    index: int
    items: list
    first_message_id: int
    first_assignment_id: int


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def day_chunks(plan: Iterable[tuple[datetime, object]], size: int) -> Iterator[list]:
    """Consecutive runs of the (time-ordered) plan, each at least `size` long and ending at the
    end of a local day."""
    chunk: list = []
    current_day = None
    for item in plan:
        day = (item[0] + CST).date()
        if day != current_day and len(chunk) >= size:
            yield chunk
            chunk = []
        current_day = day
        chunk.append(item)
    if chunk:
        yield chunk


def jobs(chunks: Iterable[list], first_message_id: int, first_assignment_id: int) -> Iterator[Job]:
    message_id, assignment_id = first_message_id, first_assignment_id
    for index, items in enumerate(chunks):
        yield Job(index, items, message_id, assignment_id)
        message_id += len(items)
        assignment_id += len(items) * ASSIGNMENT_SLOTS


def simulate(job: Job) -> tuple[object, Counter]:
    """In a worker: one chunk's rows, as a chunk database (SQLite) or as values per table in
    insertion order."""
    global _MEMORY
    inherited = _INHERITED
    assert inherited is not None, "the pool's initializer sets it before any job runs"
    if _MEMORY is None or not _MEMORY.remembers(inherited.calendar):
        _MEMORY = Memory(inherited.calendar)
    chunks = inherited.chunk_databases
    writer = Writer(
        MODELS,
        with_ids={Message, Assignment},
        adapt=chunk_datetime_adapter() if chunks else None,
    )
    writer.start_ids_at(Message, job.first_message_id)
    writer.start_ids_at(Assignment, job.first_assignment_id)
    simulator = Simulator(
        inherited.world,
        inherited.calendar,
        rng=DemoRandom(f"{inherited.seed}:{job.index}"),
        now=inherited.now,
        writer=writer,
        memory=_MEMORY,
    )
    simulator.continue_serials_from(inherited.serials)
    for submitted_at, target in job.items:
        simulator.simulate(submitted_at, target)
    assignment_limit = job.first_assignment_id + len(job.items) * ASSIGNMENT_SLOTS
    if writer.peek_next_id(Assignment) > assignment_limit:
        raise RuntimeError("a chunk used more assignment ids than reserved")
    if chunks:
        return chunk_database(writer.take(), writer.tables.values()), simulator.states
    if inherited.copy_text:
        texts = [
            (t.model._meta.label, copy_text(values), len(values)) for t, values in writer.take()
        ]
        return texts, simulator.states
    tables = [(table.model._meta.label, values) for table, values in writer.take()]
    return tables, simulator.states


def run(
    plan: Iterable,
    *,
    inherited: Inherited,
    writer: Writer,
    progress: Callable[[int], None] | None,
    processes: int | None = None,
    after_each_chunk: Iterable[str] = (),
    while_last_chunks_simulate: Callable[[], None] | None = None,
) -> Counter:
    """Simulate in worker processes and insert here; returns the states reached.

    `after_each_chunk`: SQL run after each chunk database is copied in (SQLite only).
    `while_last_chunks_simulate`: work for this process once every remaining chunk is in a
    worker's hands and the next is not done yet: without it this process would wait, and a core
    would idle while the slower worker finishes. Called at most once; not at all when the
    workers finish first."""
    global _INHERITED, _MEMORY
    _INHERITED = inherited
    _MEMORY = None  # the workers forked below start their own
    processes = processes or os.cpu_count() or 2
    sql = {table.model._meta.label: table for table in writer.tables.values()}
    work = jobs(
        day_chunks(plan, CHUNK),
        writer.peek_next_id(Message),
        writer.peek_next_id(Assignment),
    )
    states: Counter = Counter()
    context = multiprocessing.get_context("fork")
    inserter = _inserter(inherited, sql, after_each_chunk)
    with context.Pool(processes) as pool, inserter as insert:
        pending: deque = deque()
        filler = while_last_chunks_simulate
        for job, last_ones in _with_lookahead(work, pending, pool, limit=2 * processes):
            result = pending.popleft()
            if filler and last_ones and len(pending) < processes and not result.ready():
                filler()
                filler = None
            rows, chunk_states = result.get()
            insert(rows)
            states.update(chunk_states)
            if progress is not None:
                progress(len(job.items))
    _INHERITED = None
    return states


@contextmanager
def _inserter(inherited: Inherited, tables: dict[str, Table], after_each_chunk: Iterable[str]):
    """A function that writes what a worker returned, in the form the workers were told."""
    if inherited.chunk_databases:
        with ChunkMerger(tables.values(), after_each_chunk) as merger:

            def merge(chunk: tuple[bytes, dict[str, int]]) -> None:
                data, counts = chunk
                merger.merge(data)
                for label, count in counts.items():
                    tables[label].written += count

            yield merge
        return
    if inherited.copy_text:

        def copy(texts: list[tuple[str, bytes, int]]) -> None:
            for label, data, count in texts:
                copy_in(tables[label], data)
                tables[label].written += count

        yield copy
        return
    with connection.cursor() as cursor:

        def execute(values_by_table: list[tuple[str, list]]) -> None:
            for label, values in values_by_table:
                table = tables[label]
                cursor.executemany(table.sql, values)
                table.written += len(values)

        yield execute


def _with_lookahead(
    work: Iterator[Job], pending: deque, pool, *, limit: int
) -> Iterator[tuple[Job, bool]]:
    """Keep up to `limit` chunks in the workers' hands; yield each job when its turn to be
    written comes (the caller takes its result from the left of `pending`), and whether every
    job has been handed out by then."""
    submitted: deque[Job] = deque()
    for job in work:
        pending.append(pool.apply_async(simulate, (job,)))
        submitted.append(job)
        if len(submitted) >= limit:
            yield submitted.popleft(), False
    while submitted:
        yield submitted.popleft(), True
