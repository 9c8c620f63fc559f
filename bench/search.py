"""Search latency at scale: p50/p95 of search_public for 1- to 4-word queries, and index build time.

    .venv/bin/python bench/search.py                 # 100,000 messages in a temporary SQLite file
    .venv/bin/python bench/search.py --postgres      # and in a scratch PostgreSQL database
    .venv/bin/python bench/search.py -n 20000 --queries 50

Messages come from the demo text generator (liuyan.demo.text): templated problems in
recurring places, so common words (物业, 小区, 路灯) are as frequent as on a real board. About 15%
are private or not screened, so the index and the public filter both have something to do.
Queries are runs of consecutive words from random public messages, typed with spaces.

Each database runs in its own child process: Django is configured once per process, from the
environment, before django.setup().
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
COUNTIES = ("岳麓区", "长沙县", "芙蓉区", "浏阳市", "宁乡市", "雨花区", "天心区", "望城区")
PUBLIC_STATES = ("dispatched", "accepted", "reply_review", "replied", "review", "closed")
WORD_COUNTS = (1, 2, 3, 4)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--messages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100, help="queries per word count")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER)
    parser.add_argument("--only", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the parent: one child per database ----------------------------------------------------


def run_child(args, backend: str, database_url: str, var_dir: str) -> int:
    env = dict(os.environ, LIUYAN_DEBUG="1", LIUYAN_VAR_DIR=var_dir, DATABASE_URL=database_url)
    command = [
        sys.executable,
        __file__,
        "--only",
        backend,
        "-n",
        str(args.messages),
        "--queries",
        str(args.queries),
        "--seed",
        str(args.seed),
    ]
    return subprocess.call(command, env=env, cwd=ROOT)


def scratch_postgres(server: str):
    """Create a UTF-8 scratch database (CJK trigrams need a UTF-8 ctype); returns its name."""
    import psycopg

    name = f"liuyan_bench_search_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    return name


def drop_postgres(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main_parent(args) -> int:
    status = 0
    with tempfile.TemporaryDirectory(prefix="liuyan-bench-search-") as var_dir:
        sqlite_url = f"sqlite:///{var_dir}/bench.sqlite3"
        status |= run_child(args, "sqlite", sqlite_url, var_dir)
        if args.postgres:
            name = scratch_postgres(args.postgres_server)
            try:
                url = f"{args.postgres_server}/{name}"
                status |= run_child(args, "postgres", url, var_dir)
            finally:
                drop_postgres(args.postgres_server, name)
    return status


# --- the child: load, index, query ----------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def build_board():
    from liuyan.directory.models import Board, Region, Unit

    province = Region.objects.create(code="430000", name="湖南省", level=1)
    city = Region.objects.create(code="430100", name="长沙市", level=2, parent=province)
    unit = Unit.objects.create(name="长沙市住房和城乡建设局", region=city)
    return Board.objects.create(
        name="长沙市市长", kind="leader", region=city, post="市长", default_unit=unit
    )


def state_and_visibility(rng: random.Random) -> tuple[str, bool]:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(PUBLIC_STATES), False  # private
    if roll < 0.15:
        return rng.choice(("submitted", "rejected")), True  # not (yet) public
    return rng.choice(PUBLIC_STATES), True


def generate(n: int, rng: random.Random, board) -> list:
    from liuyan.board.models import Message
    from liuyan.demo.text import TextGenerator
    from liuyan.insight.text import segment_for_search

    writer = TextGenerator(rng)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    messages = []
    for i in range(n):
        draft = writer.draft(county=rng.choice(COUNTIES))
        state, is_public = state_and_visibility(rng)
        messages.append(
            Message(
                serial=f"B{i:09d}",
                board=board,
                region_id=board.region_id,
                type=draft.problem.type,
                title=draft.title[:50],
                body=draft.body,
                public_title=draft.title[:60],
                public_body=draft.body,
                is_public=is_public,
                state=state,
                submitted_at=start + timedelta(minutes=7 * i),
                search_text=segment_for_search(f"{draft.title} {draft.body}"),
            )
        )
    return messages


def insert(messages: list) -> None:
    from django.db import transaction

    from liuyan.board.models import Message

    with transaction.atomic():
        Message.objects.bulk_create(messages, batch_size=2000)


def rebuild_index_seconds() -> float:
    """Time to build the search index from scratch over the loaded table."""
    from django.db import connection

    from liuyan.board import search

    if connection.vendor == "sqlite":
        return timed(search.rebuild_sqlite_index)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'msg_search_trgm'")
        (definition,) = cursor.fetchone()
        cursor.execute("DROP INDEX msg_search_trgm")
        _, seconds = timed(lambda: cursor.execute(definition))
        cursor.execute("ANALYZE board_message")
    return seconds


def sample_queries(messages: list, words: int, count: int, rng: random.Random) -> list[str]:
    """Runs of `words` consecutive distinct words from random public messages."""
    public = [m for m in messages if m.is_public and m.state in PUBLIC_STATES]
    queries = []
    while len(queries) < count:
        tokens = list(dict.fromkeys(rng.choice(public).search_text.split()))
        if len(tokens) < words:
            continue
        start = rng.randrange(len(tokens) - words + 1)
        queries.append(" ".join(tokens[start : start + words]))
    return queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_queries(queries: list[str]) -> tuple[list[float], list[float], list[int]]:
    """Milliseconds for the database alone (ids of one page) and for search_public (with
    highlighting), and how many hits each first page had."""
    from liuyan.board import search
    from liuyan.board.selectors import public_messages

    db_ms, total_ms, hits = [], [], []
    for query in queries:
        words = search.query_words(query)
        ranked = search._ranked(public_messages(), words)
        _, seconds = timed(lambda ranked=ranked: list(ranked.values_list("id", flat=True)[:21]))
        db_ms.append(seconds * 1000)
        page, seconds = timed(lambda query=query: search.search_public(query))
        total_ms.append(seconds * 1000)
        hits.append(len(page.hits))
    return db_ms, total_ms, hits


def explain(query: str) -> str:
    from django.db import connection

    from liuyan.board import search
    from liuyan.board.selectors import public_messages

    ranked = search._ranked(public_messages(), search.query_words(query))[:21]
    sql, params = ranked.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join("    " + str(row[-1]) for row in cursor.fetchall())


def main_child(args) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        from liuyan.board import search

        # As the board app's post_migrate hook does, in case a later migration dropped them.
        search.restore_sqlite_index_after_migrate(using=connection.alias)
    rng = random.Random(args.seed)
    board = build_board()
    messages, generate_s = timed(lambda: generate(args.messages, rng, board))
    _, insert_s = timed(lambda: insert(messages))
    build_s = rebuild_index_seconds()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(f"\n== {connection.vendor}: {args.messages:,} messages ==")
    print(f"generate + segment {generate_s:.1f} s; insert (with index upkeep) {insert_s:.1f} s")
    print(f"index build from scratch: {build_s:.2f} s")
    time_queries(sample_queries(messages, 2, 10, rng))  # warm caches and the segmenter
    print(
        f"{'words':>5} {'db p50':>8} {'db p95':>8} {'all p50':>8} {'all p95':>8} {'full pages':>10}"
    )
    for words in WORD_COUNTS:
        queries = sample_queries(messages, words, args.queries, rng)
        db_ms, total_ms, hits = time_queries(queries)
        full = sum(1 for h in hits if h == 20) / len(hits)
        print(
            f"{words:>5} {percentile(db_ms, 0.5):>7.1f}ms {percentile(db_ms, 0.95):>7.1f}ms "
            f"{percentile(total_ms, 0.5):>7.1f}ms {percentile(total_ms, 0.95):>7.1f}ms "
            f"{full:>9.0%}"
        )
    common = statistics.mode(sample_queries(messages, 1, 200, rng))
    print(f"plan for the common word {common!r}:\n{explain(common)}")
    rare = sample_queries(messages, 3, 1, rng)[0]
    print(f"plan for {rare!r}:\n{explain(rare)}")
    return 0


if __name__ == "__main__":
    arguments = parse_args()
    sys.exit(main_child(arguments) if arguments.only else main_parent(arguments))
