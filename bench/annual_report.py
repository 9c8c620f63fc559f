"""Time and rows read of the annual report's figures on a PostgreSQL database, old code against
new, and the plan of every query it sends.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liuyan_figures LIUYAN_DEBUG=1 \\
        .venv/bin/python bench/annual_report.py [--year 2026] [--region CODE] [--rounds 3] \\
        [--old-checkout /tmp/old]

Each round builds `annual_figures(year, region)` and the report's HTML (charts included) and
prints the seconds taken and the rows the database read for it, per table (sequential and index
tuples from `pg_stat_user_tables`, flushed after each build). The plan of each query (EXPLAIN,
not run) is checked for the messages table: the new code must send none there. With
`--old-checkout`, the same measure runs again in a subprocess whose `liuyan` package is the
old checkout's (a `git worktree` of the commit before), on the same database, so both are
measured in one session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(year: int, region_code: str | None, rounds: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liuyan.directory.models import Region
    from liuyan.reports import annual, annual_render

    region = Region.objects.get(code=region_code) if region_code else None

    def tuples() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
                "FROM pg_stat_user_tables"
            )
            return dict(cursor.fetchall())

    times = []
    for _ in range(rounds):
        before = tuples()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            figures = annual.annual_figures(year=year, region=region)
            html = annual_render.annual_html(figures)
        times.append(time.perf_counter() - started)
        # The flush reaches the statistics a moment later in another backend's view.
        time.sleep(1.0)
        after = tuples()
        read = {t: after.get(t, 0) - before.get(t, 0) for t in after}
        read = {t: n for t, n in read.items() if n > 0}
    print(f"code: {annual.__file__}")
    print(f"report: {figures.title}, {figures.received} messages, {figures.replied} replies")
    print(f"html: {len(html)} characters, {html.count('<svg')} charts")
    print(
        "seconds per build: "
        + ", ".join(f"{t:.3f}" for t in times)
        + f" (median {statistics.median(times):.3f})"
    )
    print(f"queries: {len(captured.captured_queries)}")
    print(f"rows read (last build): {sum(read.values())}")
    for table, n in sorted(read.items(), key=lambda pair: -pair[1]):
        print(f"  {table}: {n}")
    on_messages = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if "board_message" in plan or "board_reply" in plan or "board_evaluation" in plan:
                on_messages += 1
    print(f"queries whose plan reads messages, replies or ratings: {on_messages}")
    figures_plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "reports_figure" in query["sql"]:
                cursor.execute("EXPLAIN " + query["sql"])
                figures_plans.append(cursor.fetchall()[0][0])
    if figures_plans:
        print("plans of the roll-up reads (first line each):")
        for line in sorted(set(figures_plans)):
            print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--region")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-checkout")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    if args.inner:
        measure(args.year, args.region, args.rounds)
        return
    common = ["--year", str(args.year), "--rounds", str(args.rounds)]
    if args.region:
        common += ["--region", args.region]
    runs = [("new", ROOT)]
    if args.old_checkout:
        runs.insert(0, ("old", Path(args.old_checkout)))
    for name, checkout in runs:
        print(f"=== {name} ({checkout})", flush=True)
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "annual_report.py"), "--inner", *common],
            check=True,
            cwd=checkout,
            env=env,
        )


if __name__ == "__main__":
    main()
