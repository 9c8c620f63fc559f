"""Every page type at scale on PostgreSQL: server time against a trivial view, queries, growth.

    .venv/bin/python bench/scale.py --database liuyan_scale --messages 100000 \\
        [--reuse] [-n 30] [--port 8860] [--out bench/results/scale-100k.json] \\
        [--baseline bench/results/scale-100k.json]

Issue #13's scale benchmark. Steps, each printed as it starts:

1. The database (`--database NAME` on 127.0.0.1:5432 as postgres, or DATABASE_URL): created
   (UTF-8) when missing, migrated, then filled with `liuyan demo-data --messages N` when it
   holds no message. A database holding fewer than N messages (an interrupted load) is topped
   up only with `--reuse`; one holding at least N is used as it is (with `--reuse`, or when it
   holds exactly N). Then the figures are rebuilt if there are none, the stored similarity index
   (`liuyan similarity-index`) and the hot issues (`liuyan hot-issues`) are computed if missing
   (skip with `--no-similarity-index`, `--no-hot-issues`; the output says what was there), and
   `ANALYZE` runs, as autovacuum would after a load. Files (static files, the similarity index)
   live in var/bench/scale-NAME/, kept between runs.
2. Representative objects are read from the database, not hard-coded: the board with the most
   public messages, the unit with the most open assignments, its handler and head, the leader of
   the busiest board, a platform-wide moderator, an administrator, the citizen with the most
   messages. Sessions are written for each (staff signed in with both factors).
3. gunicorn with the production configuration (`liuyan/gunicorn_conf.py`, DEBUG off, static files
   collected, `--workers` workers, 2 by default) serves `bench/scale_site.py`: liuyan's settings
   with `/bench/minimal/` (answers "ok", no database) and `bench/scale_queries.py`'s middleware,
   which counts the SQL statements of each request on Django's connection (`execute_wrapper`:
   sessions, authentication, view and template, everything) and returns the count in a header.
   The count is of the measured requests themselves, not of a re-run.
4. Each page is requested twice to warm both workers up; a page that does not answer 200 then is
   reported and left out (the run goes on; the exit status is 1). Then `-n` rounds: each page
   once per round, each request preceded by one of the trivial view, from one client over
   loopback. Times are round trips on loopback (gunicorn, Django and the database; no network).
5. Throughput: `--seconds` seconds of two concurrent clients on the message page, then as long on
   the trivial view; requests/s and their ratio (goal at least 1/5).

Prints a markdown table (p50, p95, p99 in ms, p95 over the trivial view's p95, queries, the goal
and, with `--baseline`, p95 over the baseline's p95 for the same page) and writes it all as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "liuyan/gunicorn_conf.py"]
SETTINGS = "bench.scale_site"
QUERIES_HEADER = "X-Bench-Queries"
TIME_HEADER = "X-Bench-Django-Ms"
MINIMAL = "/bench/minimal/"
# Issue #13's goals at scale, p95 in ms.
GOALS = {"public": 50, "citizen": 50, "desk": 100, "leader": 100, "search": 200, "figures": 100}


@dataclass
class Target:
    group: str  # public, citizen, desk, leader, search, figures
    name: str
    path: str
    who: str = ""  # a username, or "" for anonymous
    times: list[float] = field(default_factory=list)
    django_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    error: str = ""


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


# --- 1. the database ----------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    if args.database:
        return f"postgres://postgres@{args.host}:{args.pg_port}/{args.database}"
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Give --database NAME (a PostgreSQL database of its own) or a postgres DATABASE_URL."
        )
    return url


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    common = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    common += ["-U", parts.username or "postgres"]
    exists = subprocess.run(
        [
            "psql",
            *common,
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
    )
    if exists.returncode != 0:
        sys.exit(f"Cannot reach PostgreSQL for {url}:\n{exists.stderr}")
    if exists.stdout.strip() != "1":
        say(f"Creating database {name} (UTF-8)")
        subprocess.run(
            ["createdb", *common, "-T", "template0", "-E", "UTF8", "--lc-collate=C.UTF-8",
             "--lc-ctype=C.UTF-8", name],
            check=True,
        )  # fmt: skip


def liuyan(*args: str, debug: bool = False) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if debug:
        env["LIUYAN_DEBUG"] = "1"
    started = time.monotonic()
    say("liuyan " + " ".join(args))
    subprocess.run([sys.executable, "-m", "liuyan", *args], check=True, cwd=ROOT, env=env)
    say(f"  done in {time.monotonic() - started:.0f} s")


def prepare(args: argparse.Namespace) -> dict:
    """Fill and prepare the database; return what was there (for the JSON)."""
    import django

    liuyan("migrate", "--noinput", "-v0")
    django.setup()
    from django.db import connection

    from liuyan.board.models import Message
    from liuyan.reports.models import Figure, HotIssueRun

    have = Message.objects.count()
    if have == 0:
        say(f"Loading {args.messages:,} messages (empty database)")
        liuyan("demo-data", "--messages", str(args.messages), debug=True)
    elif have < args.messages:
        if not args.reuse:
            sys.exit(
                f"The database holds {have:,} messages, fewer than {args.messages:,}: pass "
                "--reuse to add the missing ones (an interrupted load), or drop it."
            )
        say(f"Adding {args.messages - have:,} messages to the {have:,} there (--reuse)")
        liuyan("demo-data", "--messages", str(args.messages - have), debug=True)
    elif have > args.messages and not args.reuse:
        sys.exit(
            f"The database holds {have:,} messages, more than {args.messages:,}: pass --reuse "
            "to measure it as it is, or use another database."
        )
    else:
        say(f"Reusing the {have:,} messages there")
    if not Figure.objects.exists():
        liuyan("rebuild-figures", debug=True)
    prepared = {"similarity_index": False, "hot_issues": False}
    from liuyan.board import similarity

    if similarity.snapshot_path().exists():
        prepared["similarity_index"] = True
    elif not args.no_similarity_index:
        try:
            liuyan("similarity-index", debug=True)
            prepared["similarity_index"] = True
        except subprocess.CalledProcessError as error:
            say(f"WARNING: similarity-index failed ({error}); screening runs without it")
    if HotIssueRun.objects.exists():
        prepared["hot_issues"] = True
    elif not args.no_hot_issues:
        try:
            liuyan("hot-issues", debug=True)
            prepared["hot_issues"] = True
        except subprocess.CalledProcessError as error:
            say(f"WARNING: hot-issues failed ({error}); the hot-issue pages show none")
    say("ANALYZE (as autovacuum would after a load)")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"  done in {time.monotonic() - started:.0f} s")
    connection.close()
    return prepared


# --- 2. objects and sessions ----------------------------------------------------------------


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


def page_cursor(rows, pages: int, key: str, **options) -> str | None:
    """The `after` cursor that opens page `pages` of a keyset-paginated list (None: shorter)."""
    from liuyan.web.keyset import keyset_page

    cursor = None
    for _ in range(pages - 1):
        page = keyset_page(rows, key=key, cursor=cursor, **options)
        cursor = page.next_cursor
        if cursor is None:
            return None
    return cursor


def targets() -> tuple[list[Target], dict]:
    from django.db.models import Count, Q

    from bench.figures import pages as figure_pages
    from liuyan.board.models import Assignment, Message
    from liuyan.directory.models import Board, Membership
    from liuyan.portal import selectors as portal
    from liuyan.web.keyset import MICROS_AND_ID

    def member(role: str, **where) -> str | None:
        return (
            Membership.objects.filter(role=role, user__is_active=True, **where)
            .order_by("user__username")
            .values_list("user__username", flat=True)
            .first()
        )

    say("Choosing representative objects")
    public = portal.public_messages()
    busy_board = (
        public.values("board")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("board", flat=True)
    ).first()
    open_states = ["pending", "accepted"]
    busy_unit = (
        Assignment.objects.filter(state__in=open_states)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("unit", flat=True)
        .first()
    )
    if busy_board is None or busy_unit is None:
        sys.exit("No public message or no open assignment: is the database loaded?")
    # The message page: a public message of the busy board with a published reply.
    message = (
        public.filter(board=busy_board, replies__state="published")
        .order_by("-submitted_at")
        .first()
        or public.filter(board=busy_board).order_by("-submitted_at").first()
    )
    assignment = (
        Assignment.objects.filter(unit=busy_unit, state__in=open_states)
        .order_by("-created_at")
        .first()
    )
    citizen = (
        Message.objects.filter(author__isnull=False, author__memberships__isnull=True)
        .values("author__username")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("author__username", flat=True)
        .first()
    )
    mine = Message.objects.filter(author__username=citizen).order_by("-submitted_at").first()
    moderator = member("moderator", region=None, board=None) or member("moderator")
    leader = member("leader", board=busy_board) or member("leader")
    handler = member("handler", unit=busy_unit)
    head = member("head", unit=busy_unit)
    admin = member("admin")
    board_page_50 = page_cursor(
        portal.board_messages(Board.objects.get(pk=busy_board)),
        50,
        "submitted_at",
        descending=True,
        size=portal.PAGE_SIZE,
        cursor_format=MICROS_AND_ID,
    )

    result: list[Target] = []

    def add(group: str, name: str, path: str, who: str | None = "") -> None:
        if who is None:
            say(f"  no user for {name}: left out")
            return
        if any(t.path == path and t.who == who for t in result):
            return
        result.append(Target(group, name, path, who))

    add("public", "home", "/")
    add("public", "board list", "/boards/")
    add("public", "board, first page", f"/boards/{busy_board}/")
    if board_page_50:
        add("public", "board, page 50", f"/boards/{busy_board}/?after={board_page_50}")
    else:
        say("  the busy board has fewer than 50 pages: board page 50 left out")
    add("public", "message page", f"/messages/{message.serial}/")
    add("public", "public hot issues", "/reports/hot/public/")
    for name, path, who in figure_pages():  # statistics, province, rankings, unit, board, …
        group = "figures" if who else "public"
        add(group, name if name != "home" else "home", path, who or "")
    add("citizen", "my messages", "/my/messages/", citizen)
    add("citizen", "write form", "/write/", citizen)
    if mine is not None:
        add("citizen", "a message of mine", f"/messages/{mine.serial}/", citizen)
    for name, path in [
        ("moderator: screening", "/desk/moderate/"),
        ("moderator: returned", "/desk/moderate/returned/"),
        ("moderator: replies", "/desk/moderate/replies/"),
        ("moderator: extensions", "/desk/moderate/extensions/"),
        ("moderator: lookback", "/desk/moderate/lookback/"),
        ("moderator: lookback, older", "/desk/moderate/lookback/?stale=1"),
        ("moderator: overdue screening", "/desk/moderate/overdue/"),
        ("moderator: overdue acceptance", "/desk/moderate/overdue/?kind=acceptance"),
        ("moderator: overdue reply", "/desk/moderate/overdue/?kind=reply"),
        ("moderator: supervision", "/desk/moderate/supervision/"),
        ("moderator: serial search", f"/desk/moderate/serials/?q={message.serial}"),
        ("moderator: a message", f"/desk/moderate/messages/{message.pk}/"),
    ]:
        add("desk", name, path, moderator)
    for name, path in [
        ("unit: inbox (open)", "/desk/unit/"),
        ("unit: pending", "/desk/unit/?state=pending"),
        ("unit: accepted", "/desk/unit/?state=accepted"),
        ("unit: finished", "/desk/unit/?state=finished"),
        ("unit: overdue", "/desk/unit/?due=overdue"),
        ("unit: due soon", "/desk/unit/?due=due_soon"),
        ("unit: archive", "/desk/unit/archive/"),
        ("unit: knowledge base", "/desk/unit/knowledge/?q=物业"),
    ]:
        add("desk", name, path, handler)
    if assignment is not None:
        add("desk", "unit: assignment page", f"/desk/unit/assignments/{assignment.pk}/", handler)
    add("desk", "head: inbox", "/desk/unit/", head)
    add("desk", "head: sign-off queue", "/desk/unit/signoff/", head)
    for name, path in [
        ("leader: overview", "/desk/leader/"),
        ("leader: messages", "/desk/leader/messages/"),
        ("leader: supervision", "/desk/leader/supervision/"),
        ("leader: digest list", "/reports/digests/"),
        ("leader: staff hot issues", "/reports/hot/"),
    ]:
        add("leader", name, path, leader)
    add("desk", "moderator: staff hot issues", "/reports/hot/", moderator)
    add("desk", "admin: site administration", "/admin/", admin)
    for name, query in [
        ("search: common word (物业)", "物业"),
        ("search: rare word (井盖)", "井盖"),
        ("search: two words (物业 停车)", "物业 停车"),
    ]:
        encoded = urllib.parse.quote(query)
        add("search", name + ", page 1", f"/search/?q={encoded}")
        add("search", name + ", page 50", f"/search/?q={encoded}&page=50")
    chosen = {
        "busy_board": busy_board,
        "busy_board_public_messages": public.filter(board=busy_board).count(),
        "busy_unit": busy_unit,
        "busy_unit_open_assignments": Assignment.objects.filter(
            unit=busy_unit, state__in=open_states
        ).count(),
        "message": message.serial,
        "citizen": citizen,
        "citizen_messages": Message.objects.filter(author__username=citizen).count(),
        "moderator": moderator,
        "leader": leader,
        "handler": handler,
        "head": head,
        "admin": admin,
        "public_messages": public.count(),
        "with_物业": public.filter(
            Q(public_title__contains="物业") | Q(public_body__contains="物业")
        ).count(),
    }
    for key, value in chosen.items():
        say(f"  {key}: {value}")
    return result, chosen


# --- 3-5. the server and the measurements ---------------------------------------------------


def fetch(url: str, cookie: str = "", timeout: float = 120) -> tuple[int, float, dict]:
    request = urllib.request.Request(urllib.parse.quote(url, safe=":/?&=%_-.~+"))
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        status, headers = error.code, dict(error.headers)
    return status, (time.perf_counter() - started) * 1000, headers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_server(args: argparse.Namespace, var: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LIUYAN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "LIUYAN_WEB_TIMEOUT": "300",  # a slow page is measured, not killed
        "LIUYAN_ACCESS_LOG": str(var / "access.log"),
    }
    env.pop("LIUYAN_DEBUG", None)
    log = open(var / "gunicorn.log", "w")  # noqa: SIM115 - the server's, closed at exit
    server = subprocess.Popen([*GUNICORN, "liuyan.wsgi"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped:\n" + (var / "gunicorn.log").read_text()[-3000:])
        try:
            if fetch(base + MINIMAL, timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn did not answer within 180 s; see {var / 'gunicorn.log'}")


def throughput(url: str, cookie: str, seconds: float, clients: int = 2) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        while time.monotonic() < stop:
            if fetch(url, cookie)[0] == 200:
                done[number] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def measure(args: argparse.Namespace, var: Path, pages: list[Target], cookies: dict) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    say(f"Starting gunicorn ({args.workers} workers, DEBUG off) on port {args.port}")
    server = start_server(args, var)
    minimal = Target("trivial", "trivial view", MINIMAL)
    try:
        say(f"Warming up: each of {len(pages)} pages twice")
        for target in pages:
            for _ in range(2):
                try:
                    status, ms, _headers = fetch(base + target.path, cookies.get(target.who, ""))
                except Exception as error:
                    status, ms = 0, 0.0
                    target.error = str(error)
                if status != 200:
                    target.error = target.error or f"HTTP {status}"
                    say(f"  {target.name}: {target.error} for {target.path}: left out")
                    break
                if ms > 2000:
                    say(f"  {target.name}: {ms / 1000:.1f} s")
        measured = [t for t in pages if not t.error]
        for round_number in range(1, args.n + 1):
            started = time.monotonic()
            for target in measured:
                if target.error:
                    continue
                minimal.times.append(fetch(base + MINIMAL)[1])
                try:
                    status, ms, headers = fetch(base + target.path, cookies.get(target.who, ""))
                except OSError as error:  # a timeout: reported, the other pages go on
                    target.error = f"{error} in round {round_number}"
                    continue
                if status != 200:
                    target.error = f"HTTP {status} in round {round_number}"
                target.times.append(ms)
                target.queries.append(int(headers.get(QUERIES_HEADER, -1)))
                target.django_ms.append(float(headers.get(TIME_HEADER, "nan")))
            if round_number == 1 or round_number % 5 == 0 or round_number == args.n:
                say(f"  round {round_number}/{args.n} ({time.monotonic() - started:.1f} s)")
        rates = {}
        message = next((t for t in pages if t.name == "message page" and not t.error), None)
        if message is not None and args.seconds > 0:
            say(
                f"Throughput: 2 clients, {args.seconds:.0f} s on the message page, "
                "then as long on the trivial view"
            )
            rates["message_page"] = throughput(base + message.path, "", args.seconds)
            rates["trivial_view"] = throughput(base + MINIMAL, "", args.seconds)
            rates["ratio"] = rates["message_page"] / rates["trivial_view"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"minimal": minimal, "throughput": rates}


# --- output -----------------------------------------------------------------------------


def summary(target: Target, floor: float) -> dict:
    if not target.times:
        return {
            "group": target.group,
            "name": target.name,
            "path": target.path,
            "error": target.error,
        }
    p95 = percentile(target.times, 0.95)
    return {
        "group": target.group,
        "name": target.name,
        "path": target.path,
        "who": target.who,
        "p50": round(statistics.median(target.times), 1),
        "p95": round(p95, 1),
        "p99": round(percentile(target.times, 0.99), 1),
        "p95_over_trivial": round(p95 / floor, 1) if floor else None,
        "django_p95": round(percentile(target.django_ms, 0.95), 1) if target.django_ms else None,
        "queries": max(target.queries) if target.queries else None,
        "goal_p95": GOALS.get(target.group),
        "error": target.error,
    }


def table(rows: list[dict], baseline: dict[str, dict]) -> str:
    head = "| page | p50 ms | p95 ms | p99 ms | p95 / trivial | queries | goal p95 |"
    rule = "|---|---|---|---|---|---|---|"
    if baseline:
        head += " growth: p95 / baseline's | growth of p95 / trivial |"
        rule += "---|---|"
    lines = [head, rule]
    for row in rows:
        if "p95" not in row:
            lines.append(f"| {row['name']} | {row['error']} |" + " |" * (5 + 2 * bool(baseline)))
            continue
        goal = row["goal_p95"]
        over = " **over**" if goal and row["p95"] > goal else ""
        cells = [
            row["name"],
            f"{row['p50']:,.1f}",
            f"{row['p95']:,.1f}",
            f"{row['p99']:,.1f}",
            f"{row['p95_over_trivial']:,.1f}",
            "" if row["queries"] is None else str(row["queries"]),
            f"{goal}{over}" if goal else "",
        ]
        if baseline:
            # The second growth compares each page with the trivial view of its own run, so
            # that a busier or quieter machine in one of the two runs weighs less.
            before = baseline.get(row["name"], {})
            for key in ("p95", "p95_over_trivial"):
                cells.append(f"{row[key] / before[key]:.2f}" if before.get(key) else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def collect_static(var: Path) -> None:
    """`collectstatic` into var/…/static, skipped when nothing there is older than the
    sources (it takes minutes on a loaded machine)."""
    collected = var / "static"
    sources = [p for p in (ROOT / "liuyan").rglob("static/**/*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if collected.exists() and any(collected.iterdir()) and collected.stat().st_mtime >= newest:
        say(f"Static files already collected in {collected}")
        return
    liuyan("collectstatic", "--noinput", "-v0")
    collected.touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a PostgreSQL database of its own (else DATABASE_URL)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--messages", type=int, default=100_000, help="N (default 100,000)")
    parser.add_argument("--reuse", action="store_true", help="top up or take the database as it is")
    parser.add_argument("-n", type=int, default=30, help="rounds (each page once per round)")
    parser.add_argument("--port", type=int, default=8860)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10, help="per throughput run (0: none)")
    parser.add_argument("--only", help="measure only pages whose name contains this")
    parser.add_argument("--no-similarity-index", action="store_true")
    parser.add_argument("--no-hot-issues", action="store_true")
    parser.add_argument("--out", type=Path, help="JSON results (default var/bench/scale-N.json)")
    parser.add_argument("--baseline", type=Path, help="an earlier --out, e.g. at 100k")
    args = parser.parse_args()
    baseline_rows: dict[str, dict] = {}
    if args.baseline:
        baseline_rows = {r["name"]: r for r in json.loads(args.baseline.read_text())["pages"]}

    url = database_url(args)
    ensure_database(url)
    name = urllib.parse.urlparse(url).path.lstrip("/")
    var = ROOT / "var" / "bench" / f"scale-{name}"
    var.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "LIUYAN_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "LIUYAN_SECRET_KEY": os.environ.get("LIUYAN_BENCH_SECRET") or secrets.token_urlsafe(50),
            # The demo's personal data is encrypted under the development key; keep reading it.
            "LIUYAN_FIELD_KEY": "insecure-development-key-only-for-LIUYAN_DEBUG",
            "LIUYAN_ALLOWED_HOSTS": "127.0.0.1",
            "LIUYAN_SSL_REDIRECT": "0",
            "LIUYAN_SECURE_COOKIES": "0",
        }
    )
    os.environ.pop("LIUYAN_DEBUG", None)
    prepared = prepare(args)
    from liuyan.board.models import Message

    count = Message.objects.count()
    pages, chosen = targets()
    if args.only:
        pages = [t for t in pages if args.only in t.name]
    cookies = {who: session_for(who) for who in {t.who for t in pages if t.who}}
    from django.db import connection

    connection.close()
    collect_static(var)
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    result = measure(args, var, pages, cookies)
    load_after = os.getloadavg()

    minimal: Target = result["minimal"]
    floor = percentile(minimal.times, 0.95) if minimal.times else 0.0
    rows = [summary(minimal, floor)] + [summary(t, floor) for t in pages]
    rates = result["throughput"]
    header = (
        f"{count:,} messages on PostgreSQL, {args.n} rounds, gunicorn {args.workers} workers, "
        f"{started:%Y-%m-%d %H:%M} UTC, load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    print("\n" + header + "\n")
    print(table(rows, baseline_rows))
    if rates:
        print(
            f"\nMessage page, 2 clients: {rates['message_page']:.1f} requests/s; trivial view "
            f"{rates['trivial_view']:.1f}; ratio 1/{1 / rates['ratio']:.1f} (goal at least 1/5)"
        )
    out = args.out or var.parent / f"scale-{count}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "messages": count,
                "database": name,
                "started": started.isoformat(timespec="seconds"),
                "rounds": args.n,
                "workers": args.workers,
                "load_average": {"before": load_before, "after": load_after},
                "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
                "prepared": prepared,
                "chosen": chosen,
                "baseline": str(args.baseline) if args.baseline else None,
                "pages": rows,
                "throughput": rates,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    say(f"Wrote {out}")
    failed = [t for t in pages if t.error]
    if failed:
        print("\nPages that did not answer 200:", file=sys.stderr)
        for target in failed:
            print(
                f"  {target.name}: {target.error} ({target.path}, {target.who or 'anonymous'})",
                file=sys.stderr,
            )
        sys.exit(1)


if __name__ == "__main__":
    main()
