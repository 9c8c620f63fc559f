"""Server time of the figure pages on a large PostgreSQL database, against a minimal view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liuyan_bench \\
        .venv/bin/python bench/figures.py [--messages 100000] [-n 40] [--port 8733]

Loads the database once (`liuyan demo-data --messages N`, which also rebuilds the figures) when
it holds fewer messages, then starts gunicorn (`liuyan/gunicorn_conf.py`, 2 workers, DEBUG off,
static files collected into a temporary folder) with `bench/figures_site.py`, which adds
`/bench/minimal/` to liuyan's URLs. Each round requests the minimal view and every page once,
alternating, from one client over loopback; it prints p50 and p95 in milliseconds for each,
and each page's p95 over the minimal view's. Pages: the public statistics page (a year, with
its breakdowns), a province's page, a unit's page, the rankings, the moderator dashboard
(signed in as a platform-wide moderator: every message, both audiences) and a leader's, the
board page whose figures come from the roll-ups, and the home page.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "liuyan/gunicorn_conf.py"]
sys.path.insert(0, str(ROOT))
KEY = os.environ.get("LIUYAN_BENCH_SECRET") or secrets.token_urlsafe(50)
# The demo's personal data was encrypted under the development key; keep reading it.
ENV = {
    "LIUYAN_SECRET_KEY": KEY,
    "LIUYAN_FIELD_KEY": "insecure-development-key-only-for-LIUYAN_DEBUG",
    "LIUYAN_ALLOWED_HOSTS": "127.0.0.1",
    "LIUYAN_SSL_REDIRECT": "0",
    "LIUYAN_SECURE_COOKIES": "0",
    "DJANGO_SETTINGS_MODULE": "bench.figures_site",
}


def liuyan(*args: str, debug: bool = False) -> None:
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    if debug:
        env["LIUYAN_DEBUG"] = "1"
    subprocess.run([sys.executable, "-m", "liuyan", *args], check=True, cwd=ROOT, env=env)


def ensure_data(messages: int) -> None:
    import django

    django.setup()
    from liuyan.board.models import Message
    from liuyan.reports.models import Figure

    have = Message.objects.count()
    if have < messages:
        print(f"Loading {messages - have} messages (have {have})…", flush=True)
        liuyan("demo-data", "--messages", str(messages - have), debug=True)
    elif not Figure.objects.exists():
        liuyan("rebuild-figures", debug=True)


def session_for(username: str) -> str:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from liuyan.accounts.sessions import AUTH_LEVEL, BY_TWO_FACTORS

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[AUTH_LEVEL] = BY_TWO_FACTORS
    session.create()
    return session.session_key or ""


def pages() -> list[tuple[str, str, str]]:
    """(name, path, who): who is '' for anonymous, or a username."""
    from django.db.models import Sum

    from liuyan.directory.models import Membership, Region
    from liuyan.reports.models import Figure

    year = Figure.objects.filter(kind="all", period="y").order_by("-received").first()
    on = f"{year.start:%Y}-06-01" if year else "2026-06-01"
    province = Region.objects.filter(level=1).first()
    unit = (
        Figure.objects.filter(kind="unit", period="y")
        .values("key")
        .annotate(n=Sum("received"))
        .order_by("-n")
        .first()
    )
    board = (
        Figure.objects.filter(kind="board", period="y")
        .values("key")
        .annotate(n=Sum("received"))
        .order_by("-n")
        .first()
    )
    moderator = (
        Membership.objects.filter(role="moderator", region=None)
        .values_list("user__username", flat=True)
        .first()
    )
    leader = (
        Membership.objects.filter(role="leader")
        .values_list("user__username", flat=True)
        .order_by("user__username")
        .first()
    )
    q = f"period=y&on={on}"
    result = [
        ("statistics", f"/reports/figures/?{q}", ""),
        ("statistics, province", f"/reports/figures/?{q}&slice=region:{province.pk}", ""),
        ("rankings", f"/reports/figures/rankings/?{q}", ""),
        ("home", "/", ""),
    ]
    if unit:
        result.append(("unit figures", f"/reports/figures/?{q}&slice=unit:{unit['key']}", ""))
    if board:
        result.append(("board page", f"/boards/{board['key']}/", ""))
    if moderator:
        result.append(("dashboard, moderator", f"/reports/figures/dashboard/?{q}", moderator))
    if leader:
        result.append(("dashboard, leader", f"/reports/figures/dashboard/?{q}", leader))
    return result


def fetch(url: str, cookie: str = "") -> tuple[int, float]:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def _walk(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _walk(child)


def explain(targets: list[tuple[str, str, str]], cookies: dict[str, str]) -> None:
    """Each page's queries under EXPLAIN (ANALYZE, BUFFERS): per page, the queries, the buffers
    they touched, the rows their scans read, the scans of the roll-up table and whether any
    node reads the messages table, and the costliest query's plan in short."""
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    print(f"{'page':24} {'queries':>7} {'buffers':>8} {'rows scanned':>12}  messages?  scans")
    costliest: list[tuple[int, str, str]] = []
    for name, path, who in targets:
        client = Client(SERVER_NAME="127.0.0.1")
        if who:
            client.cookies["sessionid"] = cookies[who]
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{name}: HTTP {status} for {path}")
        buffers = scanned = 0
        scans: set[str] = set()
        on_messages = False
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                top = plan[0]["Plan"]
                own = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
                buffers += own
                for node in _walk(top):
                    relation = node.get("Relation Name", "")
                    if "Scan" in node["Node Type"] and relation:
                        scanned += node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
                        if relation.startswith("reports_"):
                            index = node.get("Index Name", "")
                            scans.add(
                                f"{relation}:{node['Node Type']}{'/' + index if index else ''}"
                            )
                        if relation == "board_message":
                            on_messages = True
                            scans.add(f"{relation}:{node['Node Type']}")
                costliest.append((own, name, sql))
        print(
            f"{name:24} {len(captured.captured_queries):7} {buffers:8} {scanned:12}  "
            f"{'YES' if on_messages else 'no':9}  {', '.join(sorted(scans))}"
        )
    print("costliest queries (buffers, page, SQL start):")
    with connection.cursor() as cursor:
        for own, name, sql in sorted(costliest, reverse=True)[:3]:
            print(f"  {own:6} {name}: {sql[:400]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (line,) in cursor.fetchall():
                print(f"         {line}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=40, help="rounds (each page once per round)")
    parser.add_argument("--port", type=int, default=8733)
    parser.add_argument(
        "--explain", action="store_true", help="print each page's query plans' costs, no timing"
    )
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is filled once).")
    os.environ.update(ENV)
    with tempfile.TemporaryDirectory() as var:
        os.environ["LIUYAN_VAR_DIR"] = var
        ensure_data(args.messages)
        from liuyan.board.models import Message

        count = Message.objects.count()
        targets = pages()
        cookies = {who: session_for(who) for _name, _path, who in targets if who}
        liuyan("collectstatic", "--noinput", "-v0")
        if args.explain:
            explain(targets, cookies)
            return
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LIUYAN_BIND": f"127.0.0.1:{args.port}",
            "WEB_CONCURRENCY": "2",
        }
        server = subprocess.Popen(
            [*GUNICORN, "liuyan.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var) / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the folder
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(120):
                try:
                    if fetch(base + "/bench/minimal/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.5)
                if server.poll() is not None:
                    sys.exit("gunicorn stopped:\n" + (Path(var) / "gunicorn.log").read_text())
            times: dict[str, list[float]] = {"minimal view": []}
            for name, path, who in targets:  # warm each worker once
                for _ in range(2):
                    status, _ms = fetch(base + path, cookies.get(who, ""))
                    if status != 200:
                        raise SystemExit(f"{name}: HTTP {status} for {path}")
                times[name] = []
            for _ in range(args.n):
                times["minimal view"].append(fetch(base + "/bench/minimal/")[1])
                for name, path, who in targets:
                    times[name].append(fetch(base + path, cookies.get(who, ""))[1])
        finally:
            server.terminate()
            server.wait(timeout=30)
    floor = percentile(times["minimal view"], 0.95)
    print(f"\n{count:,} messages on PostgreSQL, {args.n} rounds, gunicorn 2 workers")
    print(f"{'page':24} {'p50 ms':>8} {'p95 ms':>8} {'p95/minimal':>12}")
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"{name:24} {p50:8.1f} {p95:8.1f} {p95 / floor:12.1f}")


if __name__ == "__main__":
    main()
