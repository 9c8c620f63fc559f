"""How long after starting the production server does a page first answer 200?

    .venv/bin/python bench/first_request.py [--old DIR] [--rounds 3] [--port 8820]
        [--workers N] [--database-url postgres://…] [--var DIR]

Builds a demo database once (SQLite in ``--var``, default var/bench/first-request, or the
PostgreSQL database given, which must hold a demo world: `liuyan demo-data`), collects static
files, writes a signed-in moderator's session (both factors, as after the TOTP step), then for
each round and each checkout (``--old`` is another checkout, e.g. `git worktree add var/base
<commit>`, run with its own gunicorn_conf.py) starts gunicorn as `liuyan serve-prod` does, and
from the moment it is started asks every 20 ms until the page answers: the time to the first 200
of the moderator's screening page (/desk/moderate/) and, each on another fresh server, of the
home page (/) and of the newest public message's page (/messages/<serial>/). Each checkout
runs twice: as configured by default (each worker warms itself up before taking requests) and
with LIUYAN_WEB_PRELOAD=1 (the master warms up once, then forks). Besides the seconds, the CPU
seconds the master and its workers used until the first 200, which do not depend on the load.
Servers are started one at a time, old and new alternating, so that both see the same
machine. Goal (issue #13): under 2 s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = {"screening": "/desk/moderate/", "home": "/", "message": "/messages/{serial}/"}

SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from liuyan.accounts.models import User
from liuyan.accounts.sessions import AUTH_LEVEL, BY_TWO_FACTORS
user = User.objects.get(username="demo-moderator")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[AUTH_LEVEL] = BY_TWO_FACTORS
session.create()
from liuyan.board.selectors import public_messages
newest = public_messages().order_by("-pk").values_list("serial", flat=True).first()
print(newest)
print(session.session_key)
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="another checkout to compare (the baseline)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8820)
    parser.add_argument("--workers", type=int, help="default: the production default")
    parser.add_argument("--database-url", default="", help="default: SQLite in --var")
    parser.add_argument("--var", type=Path, default=PROJECT / "var" / "bench" / "first-request")
    return parser.parse_args(argv)


def environment(args) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIUYAN_", "DJANGO_")) and k != "DATABASE_URL"
    }
    # The keys the database's personal data was encrypted with (a demo database loaded with
    # LIUYAN_DEBUG=1 used the development key): give them, or a message page answers 500.
    if os.environ.get("LIUYAN_FIELD_KEY"):
        env["LIUYAN_FIELD_KEY"] = os.environ["LIUYAN_FIELD_KEY"]
    key_file = args.var / "secret"
    if not key_file.exists():
        args.var.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    env.update(
        LIUYAN_DEBUG="0",
        LIUYAN_SECRET_KEY=key_file.read_text(),
        LIUYAN_ALLOWED_HOSTS="127.0.0.1",
        LIUYAN_SSL_REDIRECT="0",
        LIUYAN_SECURE_COOKIES="0",
        LIUYAN_VAR_DIR=str(args.var),
        LIUYAN_LOG_LEVEL="WARNING",
        LIUYAN_ACCESS_LOG=str(args.var / "access.log"),
        LIUYAN_ERROR_LOG=str(args.var / "error.log"),
        DJANGO_SETTINGS_MODULE="liuyan.settings",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return env


def prepare(args, env: dict[str, str]) -> tuple[str, str]:
    liuyan = str(BIN / "liuyan")
    if not args.database_url and not (args.var / "liuyan.sqlite3").exists():
        subprocess.run([liuyan, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([liuyan, "demo-data", "--force"], env=env, check=True)
    if not (args.var / "static" / "staticfiles.json").exists():
        subprocess.run([liuyan, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    shell = subprocess.run(
        [liuyan, "shell", "-c", SESSION], env=env, check=True, capture_output=True, text=True
    )
    *_, serial, session = shell.stdout.strip().splitlines()
    return serial, session


def ask(port: int, path: str, session: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process `pid` and its live children (the
    gunicorn master and its workers): what a start costs whatever the machine's load."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, …; utime and stime are the 12th and 13th fields.
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def time_to_first_200(source: Path, env, args, path: str, session: str) -> tuple[float, float]:
    """Seconds from starting gunicorn to the first 200 of ``path``, and the CPU seconds the
    server used until then."""
    command = [str(BIN / "gunicorn"), "-c", str(source / "liuyan" / "gunicorn_conf.py")]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server_env = {**env, "PYTHONPATH": str(source), "LIUYAN_BIND": f"127.0.0.1:{args.port}"}
    started = time.perf_counter()
    server = subprocess.Popen([*command, "liuyan.wsgi"], env=server_env, cwd=source)
    try:
        while True:
            status = ask(args.port, path, session)
            if status == 200:
                return time.perf_counter() - started, cpu_seconds(server.pid)
            if status is not None:
                raise SystemExit(f"{path} answered {status} ({source})")
            if server.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit(f"the server in {source} did not answer {path}")
            time.sleep(0.02)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main(argv=None) -> None:
    args = parse_args(argv)
    env = environment(args)
    serial, session = prepare(args, env)
    sources: dict[str, tuple[Path, dict[str, str]]] = {
        "new": (PROJECT, env),
        "new, LIUYAN_WEB_PRELOAD=1": (PROJECT, {**env, "LIUYAN_WEB_PRELOAD": "1"}),
    }
    if args.old:
        old = args.old.resolve()
        sources = {
            "old": (old, env),
            "old, LIUYAN_WEB_PRELOAD=1": (old, {**env, "LIUYAN_WEB_PRELOAD": "1"}),
            **sources,
        }
    seconds: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.rounds):
        for page, pattern in PAGES.items():
            path = pattern.format(serial=serial)
            for name, (source, source_env) in sources.items():
                took, used = time_to_first_200(source, source_env, args, path, session)
                seconds.setdefault((name, page), []).append(took)
                cpu.setdefault((name, page), []).append(used)
                print(
                    f"round {round_ + 1}: {name:26} {path:16} {took:6.2f} s, {used:5.2f} s CPU",
                    flush=True,
                )
    print("\nseconds from starting gunicorn to the first 200 (median, min-max), and the CPU")
    print("seconds of the master and its workers until then (median, min-max):")
    for (name, page), values in seconds.items():
        used = cpu[name, page]
        print(
            f"  {name:26} {page:10} {statistics.median(values):6.2f}"
            f"   {min(values):.2f}-{max(values):.2f}"
            f"   CPU {statistics.median(used):5.2f}   {min(used):.2f}-{max(used):.2f}"
        )


if __name__ == "__main__":
    main()
