"""Putting the demo together: messages in batches, and removing them again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from time import perf_counter

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from liuyan.board import search, serials
from liuyan.board.models import Assignment, Message
from liuyan.directory.selectors import work_calendar

from . import bulk, parallel
from .bulk import Writer
from .schedule import submission_plan
from .simulator import MODELS, DemoRandom, Simulator
from .world import PREFIX, load_world

BATCH = 2000
# From this many messages on, SQLite builds indexes after the load instead of during it.
BIG_LOAD = 20_000
_FINISHING = "building indexes and committing"
_BUILDING_INDEXES = "building indexes"
_COMMITTING = "committing"
_ANALYZING = "updating the planner's statistics"


@dataclass
class Outcome:
    messages: int = 0
    seconds: float = 0.0
    states: Counter = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    # Seconds per phase of the load, in order (printed by `demo-data`).
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def demo_messages() -> QuerySet[Message]:
    """Messages written by (or entered for) demo users."""
    return Message.objects.filter(
        Q(author__username__startswith=PREFIX) | Q(entered_by__username__startswith=PREFIX)
    )


def generate_messages(
    count: int,
    *,
    seed: int,
    months: int = 18,
    now: datetime | None = None,
    batch_size: int = BATCH,
    progress: Callable[[int], object] | None = None,  # what it returns is ignored
    stage: Callable[[str], None] | None = None,
    processes: int | None = None,
) -> Outcome:
    """Simulate `count` messages over the last `months` and write them in bulk.

    Load tests (from BIG_LOAD messages) simulate on every core; `processes` forces a number of
    worker processes (1: simulate here). `progress` hears of every batch written, `stage` of
    the work that follows the last one (building indexes, committing).
    """
    stage = stage or (lambda _text: None)
    started = perf_counter()
    # Whole seconds, like every simulated time (see simulator.Simulator.later).
    now = (now or timezone.now()).replace(microsecond=0)
    rng = DemoRandom(seed)
    writer = Writer(MODELS, with_ids={Message, Assignment})
    simulator = Simulator(load_world(), work_calendar(), rng=rng, now=now, writer=writer)
    plan = submission_plan(count, now=now, months=months, rng=rng)
    simulator.continue_serials(since=now - timedelta(days=months * 31 + 1))
    big = _is_big_load(count)
    if processes is None:
        processes = 0 if big and parallel.can_fork() else 1
    journal = (
        bulk.rollback_journal_during_load()
        if big and connection.vendor == "sqlite"
        else nullcontext()
    )
    phases: dict[str, float] = {}
    with journal:
        if processes != 1:
            inherited = parallel.Inherited(
                simulator.world,
                simulator.calendar,
                now,
                simulator.last_serials,
                seed,
                chunk_databases=connection.vendor == "sqlite",
                copy_text=connection.vendor == "postgresql",
            )
            states = _write_in_parallel(
                plan,
                inherited,
                writer,
                progress,
                stage,
                processes=processes or None,
                big=big,
                phases=phases,
            )
        else:
            batches = _batches(plan, batch_size)
            if big and connection.vendor == "sqlite":
                _write_in_one_go(batches, simulator, writer, progress, stage)
            else:
                _write_batch_by_batch(batches, simulator, writer, progress)
            states = simulator.states
    loaded = perf_counter()
    phases.setdefault("load", loaded - started - sum(phases.values()))
    # The loader numbered its messages itself; the day counters continue after them.
    serials.sync_counters()
    stage(_ANALYZING)
    bulk.analyze(MODELS)
    phases["statistics"] = perf_counter() - loaded
    return Outcome(
        messages=count,
        seconds=perf_counter() - started,
        states=states,
        rows=writer.counts(),
        phases=phases,
    )


def _simulate(batch, simulator: Simulator) -> None:
    for submitted_at, target in batch:
        simulator.simulate(submitted_at, target)


def _write_batch_by_batch(batches, simulator: Simulator, writer: Writer, progress) -> None:
    for batch in batches:
        with transaction.atomic():
            writer.reserve_ids()
            _simulate(batch, simulator)
            bulk.write(writer.take())
            _reset_sequences(writer)
        if progress is not None:
            progress(len(batch))


def _is_big_load(count: int) -> bool:
    # Inside a caller's transaction (tests) we leave the schema alone and stay in one process.
    return not connection.in_atomic_block and count >= BIG_LOAD


@transaction.atomic
def _write_in_parallel(
    plan, inherited, writer: Writer, progress, stage, *, processes, big, phases=None
) -> Counter:
    """Simulation on several cores, inserts here; a big SQLite load builds indexes once.

    It builds them while the workers simulate the last chunks, on the core this process would
    otherwise leave idle; only those chunks go in with live indexes. The full-text index is
    filled chunk by chunk as each is copied in: rebuilt at the end, it would add to the time
    when only this process works (and the per-row triggers cost twice as much).
    """
    writer.reserve_ids()
    run = partial(
        parallel.run,
        plan,
        inherited=inherited,
        writer=writer,
        progress=progress,
        processes=processes,
    )
    if big and connection.vendor == "sqlite":
        bulk.tune_for_bulk_writes()
        with (
            bulk.indexes_built_afterwards(MODELS) as indexes,
            search.sqlite_triggers_dropped() as indexed,
        ):
            chunk_messages = f"{bulk.CHUNK_SCHEMA}.{Message._meta.db_table}"
            index_chunk = [search.sqlite_index_sql(chunk_messages)] if indexed else []

            def build_indexes() -> None:
                stage(_BUILDING_INDEXES)
                indexes.build()
                stage("")

            states = run(after_each_chunk=index_chunk, while_last_chunks_simulate=build_indexes)
            stage(_FINISHING if indexes.pending else _COMMITTING)
    elif big and connection.vendor == "postgresql":
        # COPY from the workers' text, indexes built once (as SQLite's above); the generated
        # search_vector column is computed by the COPY itself, its RUM/GIN index afterwards.
        phases = {} if phases is None else phases
        started = perf_counter()
        bulk.tune_pg_load_transaction()
        with bulk.pg_indexes_built_afterwards(MODELS) as indexes:

            def build_pg_indexes() -> None:
                stage(_BUILDING_INDEXES)
                building = perf_counter()
                indexes.build()
                phases["indexes (while the last chunks simulate)"] = perf_counter() - building
                stage("")

            states = run(while_last_chunks_simulate=build_pg_indexes)
            phases["load"] = perf_counter() - started - sum(phases.values())
            stage(_FINISHING if indexes.pending else _COMMITTING)
            building = perf_counter()
        phases["indexes and foreign-key checks at the end"] = perf_counter() - building
    else:
        states = run()
    _reset_sequences(writer)
    return states


@transaction.atomic
def _write_in_one_go(batches, simulator: Simulator, writer: Writer, progress, stage) -> None:
    """A load test on SQLite: one transaction, indexes built once at the end."""
    bulk.tune_for_bulk_writes()
    writer.reserve_ids()
    with bulk.indexes_built_afterwards(MODELS), search.sqlite_index_rebuilt_afterwards():
        for batch in batches:
            _simulate(batch, simulator)
            bulk.write(writer.take())
            if progress is not None:
                progress(len(batch))
        stage(_FINISHING)


def _reset_sequences(writer: Writer) -> None:
    if connection.vendor == "postgresql":
        bulk.reset_sequences(writer.explicit_id_models())


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@transaction.atomic
def delete_demo_messages() -> int:
    """Remove demo messages and everything hanging off them.

    Straight SQL, children first: the ORM's cascade would refuse (events protect their
    assignments, and the Event manager forbids deletes, rightly, for live data) and would load
    every row into memory first.
    """
    ids_sql, params = demo_messages().values("pk").query.sql_with_params()
    count = demo_messages().count()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(MODELS):
            table = quote(model._meta.db_table)
            if model is Message:
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({ids_sql})", params)  # noqa: S608
            elif _points_at_message(model):
                cursor.execute(
                    f"DELETE FROM {table} WHERE message_id IN ({ids_sql})",  # noqa: S608
                    params,
                )
            else:  # rows that hang off an assignment
                assignments = quote(Assignment._meta.db_table)
                cursor.execute(
                    f"DELETE FROM {table} WHERE assignment_id IN "  # noqa: S608
                    f"(SELECT id FROM {assignments} WHERE message_id IN ({ids_sql}))",
                    params,
                )
    return count


def _points_at_message(model) -> bool:
    return any(f.attname == "message_id" for f in model._meta.concrete_fields)
