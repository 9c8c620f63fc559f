"""The leader overview (and the leader's figures dashboard) in one process, old code against new.

    DATABASE_URL=… LIUYAN_DEBUG=1 .venv/bin/python bench/leader_overview.py [-n 10] [--explain]
    PYTHONPATH=var/base DATABASE_URL=… LIUYAN_DEBUG=1 .venv/bin/python bench/leader_overview.py

(`var/base`: a `git worktree` of the old code; the database migrated to the new one, whose
added columns the old code does not read.) Signs in the leader of the busiest board with Django's
test client, requests each page once to warm up and then `-n` times, and prints per page the
p50 / p95 of the request, the number of queries and the slowest queries. The rising-topics
cache is cleared before every request, so the figure is the page's cost when nothing is cached
(the first request of the day for those regions); `--cached` keeps it. `--explain` runs each
query of one request under EXPLAIN (ANALYZE, BUFFERS) and prints its time, shared buffers
(hit + read) and the rows of its top node.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

import liuyan  # noqa: E402
from liuyan.accounts.sessions import AUTH_LEVEL, BY_TWO_FACTORS  # noqa: E402
from liuyan.board.models import Message  # noqa: E402
from liuyan.directory.models import Membership  # noqa: E402

PAGES = {"leader: overview": "/desk/leader/", "dashboard, leader": "/reports/figures/dashboard/"}


def busiest_leader():
    since = timezone.now() - timezone.timedelta(days=90)
    boards = (
        Message.objects.filter(submitted_at__gte=since)
        .values("board_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("board_id", flat=True)
    )
    for board_id in boards[:20]:
        membership = Membership.objects.filter(role="leader", board_id=board_id).first()
        if membership is not None:
            return membership.user, board_id
    raise SystemExit("no leader of a busy board")


def explain(sql: str, params) -> tuple[float, int, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # pragma: no cover - psycopg decodes json already
        import json

        plan = json.loads(plan)
    top = plan[0]["Plan"]
    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return plan[0]["Execution Time"], buffers, f"{top['Node Type']} rows={top['Actual Rows']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--cached", action="store_true")
    parser.add_argument("--plans", action="store_true", help="the text plans of costly queries")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    user, board_id = busiest_leader()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[AUTH_LEVEL] = BY_TWO_FACTORS
    session.save()
    print(
        f"code: {Path(liuyan.__file__).resolve().parent.parent}; leader {user.username}, "
        f"board {board_id}; load {os.getloadavg()[0]:.1f}"
    )
    for name, path in PAGES.items():
        if args.only not in name:
            continue
        client.get(path)  # warm-up: imports, templates
        times, counts = [], []
        slowest: list[tuple[float, str]] = []
        for _ in range(args.n):
            if not args.cached:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            counts.append(len(queries.captured_queries))
            slowest = sorted(
                ((float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries),
                reverse=True,
            )[:5]
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{name}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
            f"queries {max(counts)}, rounds {len(times)}"
        )
        for ms, sql in slowest:
            print(f"    {ms:7.1f} ms  {sql[:150]}")
        if args.explain:
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            total_buffers = 0
            for query in queries.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                # Re-run with the values inline: CaptureQueriesContext keeps the final SQL.
                ms, buffers, top = explain(sql, None)
                total_buffers += buffers
                if ms >= 1 or buffers >= 200:
                    print(f"    EXPLAIN {ms:7.1f} ms {buffers:7d} buffers {top:28s} {sql[:110]}")
                if args.plans and buffers >= 1000:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                        print(sql)
                        print("\n".join("        " + row[0] for row in cursor.fetchall()))
            print(f"    EXPLAIN total buffers {total_buffers}")


if __name__ == "__main__":
    main()
