"""Fast inserts of plain rows: one `executemany` per table and batch.

The history simulation produces rows as dicts keyed by field attname. Building model instances
and letting `bulk_create` prepare every value costs more than the simulation itself, so rows go
straight to the cursor; the only conversion needed is the backend's datetime adaptation.
Messages and assignments get ids that we reserve above the current maximum, because every other
row points at them; rows nothing points at let the database number them.

A load test on SQLite goes one step further (see :func:`chunk_database` and :class:`ChunkMerger`):
binding millions of Python values to SQLite parameters is the single writer's heaviest work, so
the worker processes do it, each into an in-memory database with the same columns, and hand over
the serialised file; the writer copies each table across with one ``INSERT ... SELECT`` that runs
entirely inside SQLite.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache, lru_cache

from django.core.management.color import no_style
from django.db import OperationalError, connection, models
from django.db.models import Max

from liuyan.accounts import crypto
from liuyan.accounts.fields import EncryptedCharField, PhoneHashField
from liuyan.board.bulk import copy_field

Batch = list[tuple["Table", list[tuple]]]
# The name under which the writer's connection attaches the workers' chunk databases.
CHUNK_SCHEMA = "demo_chunk"


def _datetime_adapter():
    """What the backend would store, without its per-value overhead in the common case."""
    django_adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite":
        return django_adapt

    def adapt(value: datetime):
        # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (Django's own format); the
        # simulation makes every time in UTC, so dropping the zone is the whole conversion.
        if value.tzinfo is UTC:
            return value.isoformat(" ")[:-6]  # "+00:00" off: one C call instead of two
        return django_adapt(value)

    return adapt


def chunk_datetime_adapter():
    """Times for a chunk database: whole-second UTC times as epoch seconds, the rest as text.

    Formatting a datetime in Python costs several times more than reading its timestamp, and
    the simulation keeps its times to whole seconds; the copy into the real table turns epoch
    seconds into Django's text form inside SQLite (_from_chunk_datetime). Deadlines end at
    23:59:59.999999 and come again and again, so their text is remembered.
    """
    as_text = lru_cache(maxsize=4096)(_datetime_adapter())

    def adapt(value: datetime):
        if value.microsecond or value.tzinfo is not UTC:
            return as_text(value)
        return value.timestamp()

    return adapt


def _from_chunk_datetime(column: str) -> str:
    # Epoch seconds are the only numbers in a chunk's datetime columns (the rest is text);
    # Django keeps 'YYYY-MM-DD HH:MM:SS' for a UTC time without microseconds, which is what
    # datetime(..., 'unixepoch') writes.
    return (
        f"CASE WHEN typeof({column}) IN ('integer', 'real') "
        f"THEN datetime({column}, 'unixepoch') ELSE {column} END"
    )


class Table:
    def __init__(self, model: type[models.Model], *, explicit_ids: bool):
        self.model = model
        self.explicit_ids = explicit_ids
        fields = [f for f in model._meta.concrete_fields if explicit_ids or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.datetime_names = [f.attname for f in fields if isinstance(f, models.DateTimeField)]
        self._defaults_row = dict(zip(self.attnames, self.defaults, strict=True))
        self._in_column_order = operator.itemgetter(*self.attnames)
        # Personal data is encrypted at rest (liuyan.accounts.fields), also in a load test:
        # the hashes are taken from the clear values first, then the values are encrypted.
        self.hashed = [(f.attname, f.source) for f in fields if isinstance(f, PhoneHashField)]
        self.encrypted = [f.attname for f in fields if isinstance(f, EncryptedCharField)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        # The same statement for a plain sqlite3 connection (a worker's chunk database), and the
        # copy from an attached chunk database into this one.
        self.qmark_sql = self.sql.replace("%s", "?")
        chunk_columns = ", ".join(
            _from_chunk_datetime(quote(f.column))
            if isinstance(f, models.DateTimeField)
            else quote(f.column)
            for f in fields
        )
        # Columns without types or constraints: the values arrive as they will be stored, and
        # the copy applies the real table's types and checks. The real definitions' unique
        # indexes and checks made filling a chunk half as slow again.
        self.chunk_sql = f"CREATE TABLE {table} ({columns})"
        self.copy_sql = (
            f"INSERT INTO main.{table} ({columns}) "  # noqa: S608
            f"SELECT {chunk_columns} FROM {CHUNK_SCHEMA}.{table}"
        )
        # PostgreSQL: the rows as COPY text, formatted by the workers (copy_text).
        self.pg_copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.rows: list[dict] = []
        self.ready: list[tuple] = []  # rows given in column order, times already adapted
        self.written = 0

    def values(self, rows: list[dict], adapt) -> list[tuple]:
        # Merging onto the defaults and picking the columns with itemgetter runs in C; a Python
        # loop over every column of every row was a fifth of a load test's time.
        defaults, in_column_order, names = (
            self._defaults_row,
            self._in_column_order,
            self.datetime_names,
        )
        result = []
        for row in rows:
            merged = {**defaults, **row}
            for name in names:
                value = merged[name]
                if value is not None:
                    merged[name] = adapt(value)
            if self.encrypted:
                self._protect(merged)
            result.append(in_column_order(merged))
        return result

    def _protect(self, merged: dict) -> None:
        for name, source in self.hashed:
            merged[name] = crypto.phone_hash(merged[source])
        for name in self.encrypted:
            if merged[name]:
                merged[name] = crypto.encrypt(merged[name])


class Writer:
    """Collects rows per model, hands them out in batches of ready-to-insert values; reserves
    ids for parent tables.

    `adapt` turns a datetime into what is stored: Django's form by default, or a chunk
    database's (see chunk_datetime_adapter).
    """

    def __init__(self, models_in_order: Iterable[type[models.Model]], *, with_ids: set, adapt=None):
        self.tables = {m: Table(m, explicit_ids=m in with_ids) for m in models_in_order}
        self._next_id: dict[type[models.Model], int] = {}
        self.adapt = adapt or _datetime_adapter()

    def reserve_ids(self) -> None:
        """Continue numbering above what is in each table now, and above what we handed out."""
        for model, table in self.tables.items():
            if table.explicit_ids:
                current = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
                self._next_id[model] = max(current + 1, self._next_id.get(model, 1))

    def start_ids_at(self, model: type[models.Model], first: int) -> None:
        self._next_id[model] = first

    def peek_next_id(self, model: type[models.Model]) -> int:
        return self._next_id[model]

    def new_id(self, model: type[models.Model]) -> int:
        value = self._next_id[model]
        self._next_id[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: dict) -> None:
        self.tables[model].rows.append(row)

    def add_values(self, model: type[models.Model], values: tuple) -> None:
        """A row already in column order (``columns(model)``) with its times passed through
        ``adapt``: the cheap way for the most numerous rows, which never change once made."""
        self.tables[model].ready.append(values)

    def columns(self, model: type[models.Model]) -> list[str]:
        return self.tables[model].attnames

    def take(self) -> Batch:
        """The values of the rows collected so far, parents first; the writer starts empty."""
        batch = []
        for table in self.tables.values():
            if table.rows or table.ready:
                values = table.values(table.rows, self.adapt) + table.ready
                batch.append((table, values))
                table.written += len(values)
                table.rows, table.ready = [], []
        return batch

    def counts(self) -> dict[str, int]:
        return {m.__name__: t.written for m, t in self.tables.items()}

    def explicit_id_models(self) -> list[type[models.Model]]:
        return [m for m, t in self.tables.items() if t.explicit_ids]


def write(batch: Batch) -> None:
    """Insert one batch on this thread's connection (the caller owns the transaction)."""
    with connection.cursor() as cursor:
        for table, values in batch:
            cursor.executemany(table.sql, values)


def tune_for_bulk_writes() -> None:
    """Give SQLite room: a load test's indexes outgrow the default 2 MB page cache at once,
    and every insert then reads index pages back from disk. Lasts for this connection only."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: up to 256 MB, as needed


def tune_pg_load_transaction() -> None:
    """PostgreSQL: settings for a load test's one transaction (SET LOCAL: they end with it).

    Index builds sort in memory instead of in temporary files (the default 64 MB of
    maintenance_work_mem spills at a few hundred thousand messages), and the commit does not
    wait for its WAL to reach the disk: a crash right after the load loses it, which a load
    test can afford."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")


def analyze(model_list: Iterable[type[models.Model]]) -> None:
    """Refresh the planner's statistics of the tables a bulk load filled.

    Without it PostgreSQL plans with the estimates of the empty tables (measured at one million
    messages: off 10-100x, so it combined big single-column indexes instead of the selective
    composite one); autovacuum catches up only minutes later. SQLite's ANALYZE feeds its
    planner the same way (sqlite_stat1).
    """
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def reset_sequences(model_list: list[type[models.Model]]) -> None:
    """PostgreSQL keeps its own id counters: move them past the ids we chose ourselves."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def rollback_journal_during_load():
    """SQLite: run a load test's transaction with the rollback journal instead of WAL.

    In WAL mode a big transaction is written twice, into the WAL at commit and into the
    database by the checkpoint that follows, page by page: committing 200 MB took 1.6 s of CPU
    against 0.3 s with the rollback journal (measured here, see bench/demo_data.py). Switching
    needs every other connection to the database closed; when one is open the load simply runs
    in WAL as before. Meanwhile other connections wait for the load instead of reading the old
    state. WAL comes back afterwards, whatever happens. Not inside a transaction.
    """
    switched = False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] == "wal":
            cursor.execute("PRAGMA busy_timeout")
            timeout = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout = 0")  # another reader: give up at once
            try:
                cursor.execute("PRAGMA journal_mode = DELETE")
                switched = cursor.fetchone()[0] == "delete"
            except OperationalError:
                switched = False
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    try:
        yield switched
    finally:
        if switched:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode = WAL")


class DeferredIndexes:
    """Secondary indexes a load dropped: :meth:`build` puts them back, once.

    A parallel load builds them while the workers simulate its last chunks, when the writer
    would otherwise wait with a core to spare; the rows that arrive afterwards go in with live
    indexes. Whatever is not built by then is built on the way out.
    """

    def __init__(self, statements: list[str]):
        self._statements = statements

    @property
    def pending(self) -> bool:
        return bool(self._statements)

    def build(self) -> None:
        statements, self._statements = self._statements, []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextmanager
def indexes_built_afterwards(model_list: Iterable[type[models.Model]]):
    """SQLite: drop the tables' secondary indexes now and build them again on the way out,
    or earlier through the :class:`DeferredIndexes` yielded.

    Keeping a dozen indexes up to date row by row costs most of a load test's time; building
    each once from sorted data is several times cheaper. Must run inside a transaction: SQLite's
    DDL is transactional, so a failure puts every index back, and other connections keep
    reading the committed tables, indexes included, meanwhile. Named unique indexes (Django's
    UniqueConstraint) are rebuilt too, which checks uniqueness once at the end; the implicit ones
    of `unique=True` columns have no SQL of their own and stay.
    """
    tables = [m._meta.db_table for m in model_list]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        query = f"SELECT name, sql FROM sqlite_master WHERE tbl_name IN ({marks})"  # noqa: S608
        cursor.execute(query, tables)
        indexes = [
            (name, sql)
            for name, sql in cursor.fetchall()
            if sql and sql.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))
        ]
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    deferred = DeferredIndexes([sql for _name, sql in indexes])
    yield deferred
    deferred.build()


@contextmanager
def pg_indexes_built_afterwards(model_list: Iterable[type[models.Model]]):
    """PostgreSQL: the same as :func:`indexes_built_afterwards`. Every index that backs no
    constraint (primary keys, unique columns and the foreign keys' targets stay) is dropped
    and created again from its definition; inside the caller's transaction, so a failure puts
    them back. Building a B-tree, GIN or RUM index once over sorted rows is several times cheaper
    than updating it row by row (bench/demo_data.py --postgres).

    The tables' foreign keys are dropped too and added again after the indexes, from their own
    definitions (pg_get_constraintdef: deferrable as before). Kept, each copied row queues a
    check that runs at the end as one query per row, locking the row it points at (FOR KEY
    SHARE: a write to every message for its events, replies, assignments …); added again, each
    key is checked by one join over the whole table, and no row is locked."""
    tables = [m._meta.db_table for m in model_list]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c
                WHERE c.conindid
                  = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
              )
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
              AND t.relname = ANY(%s)
            ORDER BY t.relname, c.conname
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        # Rows queued for checking before the load (none in a load of its own) are checked
        # now: a table with pending checks cannot be altered.
        if foreign_keys:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        if foreign_keys:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    # PostgreSQL builds no index on a table with checks pending (of keys not dropped here):
    # run them first.
    creates = [sql for _name, sql in indexes]
    adds = [
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        for table, name, definition in foreign_keys
    ]
    deferred = DeferredIndexes(
        ["SET CONSTRAINTS ALL IMMEDIATE", *creates, *adds, "SET CONSTRAINTS ALL DEFERRED"]
        if creates or adds
        else []
    )
    yield deferred
    deferred.build()


# --- load tests on PostgreSQL: COPY text made by the workers -----------------------------------


def copy_text(values: list[tuple]) -> bytes:
    """Rows in PostgreSQL's COPY text format (tab-separated, \\N for NULL, backslash escapes).
    Made in the worker processes: the writer then only streams bytes, where executemany had it
    bind every value of every row, one statement per row, on the single connection."""
    field = copy_field
    return "".join("\t".join([field(value) for value in row]) + "\n" for row in values).encode()


def copy_in(table: Table, data: bytes) -> None:
    """Stream one table's COPY text into it (psycopg's COPY FROM STDIN)."""
    with connection.cursor() as cursor, cursor.cursor.copy(table.pg_copy_sql) as copy:
        copy.write(data)


# --- load tests on SQLite: chunk databases built by the workers --------------------------------


def chunk_database(batch: Batch, tables: Iterable[Table]) -> tuple[bytes, dict[str, int]]:
    """In a worker: the batch (from a Writer with ``adapt=chunk_datetime_adapter()``) in a fresh
    in-memory database with a bare table (Table.chunk_sql) for each of `tables`, serialised;
    and the rows per table. Needs no Django connection, so it is safe after a fork."""
    database = sqlite3.connect(":memory:")
    try:
        # Big pages: a message row (~2.5 kB) would have a 4 kB page nearly to itself, and the
        # file is copied twice more (serialised, sent). A fifth less time and size here.
        database.execute("PRAGMA page_size = 65536")
        for table in tables:
            database.execute(table.chunk_sql)
        counts = {}
        for table, values in batch:
            database.executemany(table.qmark_sql, values)
            counts[table.model._meta.label] = len(values)
        database.commit()
        return database.serialize(), counts
    finally:
        database.close()


class ChunkMerger:
    """The writer's side: attach one in-memory schema, then per chunk load its file there and
    copy every table across, parents first. Works inside the caller's transaction."""

    def __init__(self, tables: Iterable[Table], after_each: Iterable[str] = ()):
        self.tables = list(tables)
        # Statements run after each copy, reading the chunk too (a bulk load's own indexing).
        self.after_each = list(after_each)

    def __enter__(self) -> ChunkMerger:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA database_list")
            if CHUNK_SCHEMA not in {row[1] for row in cursor.fetchall()}:
                cursor.execute(f"ATTACH DATABASE ':memory:' AS {CHUNK_SCHEMA}")
        return self

    def merge(self, data: bytes) -> None:
        connection.connection.deserialize(data, name=CHUNK_SCHEMA)
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(table.copy_sql)
            for sql in self.after_each:
                cursor.execute(sql)

    def __exit__(self, *_exc) -> None:
        # SQLite refuses DETACH while a transaction that read the schema is open (always the
        # case here); an empty file gives the memory back and the schema is reused next time.
        connection.connection.deserialize(_empty_database(), name=CHUNK_SCHEMA)


@cache
def _empty_database() -> bytes:
    database = sqlite3.connect(":memory:")
    try:
        database.execute("PRAGMA user_version = 0")  # a database of no pages cannot be serialised
        return database.serialize()
    finally:
        database.close()
