"""Load and fault: do messages survive concurrent citizens and a web worker killed mid-request?

    .venv/bin/python bench/load_fault.py [--messages 1000] [--clients 16] [--workers 3]
        [--port 8250] [--database liuyan_intake_bench] [--source DIR] [--kill-at 0.5]

Starts the production server (gunicorn, DEBUG off, static files collected, a secret key set)
against a fresh PostgreSQL database, signs in a set of citizens (two clients share each browser
session, as two tabs do), and lets `--clients` threads write `--messages` messages through the
real write form: GET the form, POST it with its token, and on a connection error or a 5xx resend
the very same POST, as a browser or a proxy retrying would. When half the messages have been
posted one gunicorn worker gets SIGKILL (the master starts another).

Printed: sent (messages posted), confirmed (answered with a message page), created (messages in
the database carrying the run's marker), lost (confirmed but not in the database), doubled (one
client request, two messages: each message body carries a unique marker), unconfirmed, 5xx
answers, connection errors, and p50/p95 latency of one POST and of a whole send with its retries.
Goal: 0 lost, 0 doubled, 0 5xx, and every send answered with its message (not "this form was
already sent" for a message that does not exist); the exit status is 1 when it is missed.

`--source` runs another checkout's code (e.g. a worktree of main for a baseline): its migrations
and its server; this script only drives HTTP and counts rows.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GUNICORN_CONF = PROJECT / "liuyan" / "gunicorn_conf.py"
BODY = "小区门口的路灯坏了两个多月，晚上出行很不安全，希望有关部门尽快修理。"
MARKER = "bench-{run}-{index:05d}"
MARKER_RE = re.compile(r"bench-(\w+)-(\d{5})")
SERIAL_LOCATION = re.compile(r"/messages/(\d{14})/$")
ATTEMPTS = 12  # resends of one POST before the client gives up on it
TIMEOUT = 40  # seconds; above gunicorn's worker timeout (30 s)


# --- the server -------------------------------------------------------------------------------


def server_environment(
    *, database_url: str, secret_key: str, var_dir: Path, source: Path
) -> dict[str, str]:
    """Production settings: DEBUG off, a real secret key, plain HTTP on loopback (no nginx in
    front, so no TLS redirect and no secure-only cookies)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIUYAN_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database_url,
        LIUYAN_DEBUG="0",
        LIUYAN_SECRET_KEY=secret_key,
        # Its own key for personal data at rest, as production has (accounts.W001 otherwise).
        LIUYAN_FIELD_KEY=secrets.token_urlsafe(32),
        LIUYAN_ALLOWED_HOSTS="127.0.0.1",
        LIUYAN_SSL_REDIRECT="0",
        LIUYAN_SECURE_COOKIES="0",
        LIUYAN_VAR_DIR=str(var_dir),
        LIUYAN_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="liuyan.settings",
        PYTHONPATH=str(source),  # before the editable install of this checkout
    )
    return env


def collect_static(env: dict[str, str], var_dir: Path, source: Path) -> None:
    """collectstatic, unless the manifest is newer than every static source (it takes ~40 s)."""
    manifest = var_dir / "static" / "staticfiles.json"
    sources = [p for p in (source / "liuyan").glob("**/static/**/*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in sources), default=0)
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    subprocess.run(
        [str(BIN / "liuyan"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=source,
        check=True,
    )


def migrate(env: dict[str, str], source: Path) -> None:
    subprocess.run(
        [str(BIN / "liuyan"), "migrate", "--noinput", "-v", "0"], env=env, cwd=source, check=True
    )


class Server:
    """The production gunicorn with `workers` sync workers on 127.0.0.1:port, run from `source`."""

    def __init__(self, *, env: dict[str, str], port: int, workers: int, source: Path, log: Path):
        self.env, self.port, self.workers, self.source, self.log = env, port, workers, source, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # The production configuration `liuyan serve-prod` runs (stdlib only, so it also serves
        # an older checkout given with --source); only the worker count, address and a short
        # graceful stop differ.
        command = [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "liuyan.wsgi"]
        env = {
            **self.env,
            "WEB_CONCURRENCY": str(self.workers),
            "LIUYAN_BIND": f"127.0.0.1:{self.port}",
            "LIUYAN_WEB_GRACEFUL_TIMEOUT": "5",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.source, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_answering()
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_until_answering(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}: see {self.log}"
                )
            try:
                status, _headers, _body = request("GET", self.port, "/", {})
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s: see {self.log}")

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc (no psutil needed)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def kill_one_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid


# --- HTTP, with the standard library only ------------------------------------------------------


def request(method: str, port: int, path: str, cookies: dict[str, str], body: bytes = b""):
    """One request on a fresh connection (gunicorn's sync workers close after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = {"Host": "127.0.0.1", "Accept-Language": "zh-hans"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def remember_cookies(cookies: dict[str, str], headers) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            for morsel in SimpleCookie(value).values():
                cookies[morsel.key] = morsel.value


def header(headers, name: str) -> str:
    return next((v for k, v in headers if k.lower() == name.lower()), "")


# --- the citizens ------------------------------------------------------------------------------


@dataclass
class Citizens:
    board_id: int
    domain_id: int
    sessions: list[str]  # session keys of signed-in citizens, one per browser


def sign_in_citizens(count: int) -> Citizens:
    """A board to write to and `count` signed-in citizens, made in this process's database.

    The session rows are written as django.contrib.auth.login writes them (the citizen SMS
    sign-in cannot run with DEBUG off and no SMS gateway); the server reads them like any other.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from liuyan.accounts.models import User
    from liuyan.directory.models import Board, Domain, Region, Unit

    region, _ = Region.objects.get_or_create(code="439900", defaults={"name": "压测市", "level": 2})
    unit, _ = Unit.objects.get_or_create(name="压测市住房和城乡建设局", region=region)
    board, _ = Board.objects.get_or_create(
        name="压测市市长",
        defaults={"kind": "leader", "region": region, "post": "市长", "default_unit": unit},
    )
    top, _ = Domain.objects.get_or_create(name="城乡建设", level=1)
    domain, _ = Domain.objects.get_or_create(name="市政设施", level=2, parent=top)
    sessions = []
    for number in range(count):
        user, _ = User.objects.get_or_create(username=f"bench-citizen-{number}")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return Citizens(board_id=board.pk, domain_id=domain.pk, sessions=sessions)


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw. Lists are appended to from many threads (list.append is atomic)."""

    confirmed: dict[int, str] = field(default_factory=dict)  # message index -> serial answered
    unconfirmed: dict[int, str] = field(default_factory=dict)  # index -> what came back instead
    post_seconds: list[float] = field(default_factory=list)
    send_seconds: list[float] = field(default_factory=list)
    server_errors: list[int] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
    resends: list[int] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)


class Client:
    """One browser tab: its own cookie jar over a shared signed-in session."""

    def __init__(self, port: int, session_key: str, citizens: Citizens, tally: Tally, run: str):
        self.port, self.citizens, self.tally, self.run = port, citizens, tally, run
        self.cookies = {"sessionid": session_key}

    def send(self, index: int) -> None:
        page = self._form_page()
        if page is None:
            self.tally.unconfirmed[index] = "no form"
            return
        token, csrf = page
        marker = MARKER.format(run=self.run, index=index)
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "form_token": token,
                "board": self.citizens.board_id,
                "type": "complaint",
                "domain": self.citizens.domain_id,
                "title": f"路灯损坏请求维修{index}",
                "body": f"{BODY}（{marker}）",
                "place": "",
                "is_public": "1",
                "contact_phone": f"138{index:08d}",
                "step": "send",
            }
        ).encode()
        started = time.perf_counter()
        for attempt in range(ATTEMPTS):
            answer = self._post(body)
            if answer is not None:
                status, location = answer
                self.tally.send_seconds.append(time.perf_counter() - started)
                serial = SERIAL_LOCATION.search(location)
                if status == 302 and serial:
                    self.tally.confirmed[index] = serial[1]
                else:
                    self.tally.unconfirmed[index] = f"{status} {location}"
                if attempt:
                    self.tally.resends.append(attempt)
                return
            time.sleep(min(0.1 * 2**attempt, 2))
        self.tally.unconfirmed[index] = "gave up"

    def _form_page(self) -> tuple[str, str] | None:
        path = f"/write/?board={self.citizens.board_id}"
        for attempt in range(ATTEMPTS):
            try:
                status, headers, content = request("GET", self.port, path, self.cookies)
            except (OSError, http.client.HTTPException) as error:
                self.tally.connection_errors.append(type(error).__name__)
            else:
                remember_cookies(self.cookies, headers)
                if status >= 500:
                    self.tally.server_errors.append(status)
                elif status == 200:
                    text = content.decode()
                    token = re.search(r'name="form_token" value="([^"]+)"', text)
                    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
                    return (token[1], csrf[1]) if token and csrf else None
                else:
                    return None
            time.sleep(min(0.1 * 2**attempt, 2))
        return None

    def _post(self, body: bytes) -> tuple[int, str] | None:
        """The answer's status and Location; None when the POST must be resent."""
        started = time.perf_counter()
        try:
            status, headers, _content = request("POST", self.port, "/write/", self.cookies, body)
        except (OSError, http.client.HTTPException) as error:
            self.tally.connection_errors.append(type(error).__name__)
            return None
        remember_cookies(self.cookies, headers)
        if status >= 500:
            self.tally.server_errors.append(status)
            return None
        self.tally.post_seconds.append(time.perf_counter() - started)
        return status, header(headers, "Location")


def drive(*, port: int, citizens: Citizens, messages: int, clients: int, run: str, midway) -> Tally:
    """`clients` threads take message numbers from one counter until `messages` are sent;
    `midway()` runs once, in the thread that posts the middle message."""
    tally = Tally()
    numbers = itertools.count()
    middle = messages // 2

    def client_loop(client: Client) -> None:
        while (index := next(numbers)) < messages:
            if index == middle:
                midway(tally)
            client.send(index)

    threads = [
        threading.Thread(
            target=client_loop,
            args=(
                Client(port, citizens.sessions[n % len(citizens.sessions)], citizens, tally, run),
            ),
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    sent: int
    confirmed: int
    created: int
    lost: int
    doubled: int
    wrong_answer: int
    unconfirmed: int
    turned_away: int  # unconfirmed, and no message made: "already sent" for nothing
    server_errors: int
    connection_errors: int
    resent: int
    killed_worker: int | None
    post_p50: float
    post_p95: float
    send_p50: float
    send_p95: float
    seconds: float
    unconfirmed_examples: list[str] = field(default_factory=list)

    @property
    def goal_met(self) -> bool:
        missed = (self.lost, self.doubled, self.server_errors, self.wrong_answer, self.unconfirmed)
        return missed == (0, 0, 0, 0, 0)

    def lines(self) -> list[str]:
        return [
            f"sent {self.sent}  confirmed {self.confirmed}  created {self.created}",
            f"lost {self.lost}  doubled {self.doubled}  5xx {self.server_errors}  "
            f"unconfirmed {self.unconfirmed} (of which nothing created {self.turned_away})  "
            f"confirmed with a wrong serial {self.wrong_answer}",
            f"connection errors {self.connection_errors}  sends resent {self.resent}  "
            f"worker killed: pid {self.killed_worker}",
            f"POST latency p50 {self.post_p50 * 1000:.0f} ms  p95 {self.post_p95 * 1000:.0f} ms;"
            f"  whole send with resends p50 {self.send_p50 * 1000:.0f} ms"
            f"  p95 {self.send_p95 * 1000:.0f} ms",
            f"{self.seconds:.1f} s, {self.sent / self.seconds:.1f} messages/s",
            *(f"  unconfirmed: {example}" for example in self.unconfirmed_examples),
        ]


def stored_markers(run: str) -> Counter:
    """How many messages carry each of the run's markers, and their serials."""
    from liuyan.board.models import Message

    count: Counter = Counter()
    serials: dict[int, set[str]] = {}
    rows = Message.objects.filter(body__contains=f"bench-{run}-").values_list("body", "serial")
    for body, serial in rows.iterator():
        for match in MARKER_RE.finditer(body):
            if match[1] == run:
                index = int(match[2])
                count[index] += 1
                serials.setdefault(index, set()).add(serial)
    return count, serials


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def figures(tally: Tally, run: str, sent: int, seconds: float) -> Figures:
    count, serials = stored_markers(run)
    lost = [i for i in tally.confirmed if count[i] == 0]
    wrong = [i for i, s in tally.confirmed.items() if count[i] and s not in serials[i]]
    return Figures(
        sent=sent,
        confirmed=len(tally.confirmed),
        created=sum(count.values()),
        lost=len(lost),
        doubled=sum(1 for n in count.values() if n > 1),
        wrong_answer=len(wrong),
        unconfirmed=len(tally.unconfirmed),
        turned_away=sum(1 for i in tally.unconfirmed if count[i] == 0),
        server_errors=len(tally.server_errors),
        connection_errors=len(tally.connection_errors),
        resent=len(tally.resends),
        killed_worker=tally.killed[0] if tally.killed else None,
        post_p50=percentile(tally.post_seconds, 0.5),
        post_p95=percentile(tally.post_seconds, 0.95),
        send_p50=percentile(tally.send_seconds, 0.5),
        send_p95=percentile(tally.send_seconds, 0.95),
        seconds=seconds,
        unconfirmed_examples=[f"#{i}: {what}" for i, what in sorted(tally.unconfirmed.items())[:5]],
    )


def run_load_fault(
    *,
    database_url: str,
    secret_key: str,
    port: int,
    messages: int = 1000,
    clients: int = 16,
    sessions: int | None = None,
    workers: int = 3,
    source: Path = PROJECT,
    var_dir: Path | None = None,
    kill: bool = True,
) -> Figures:
    """The benchmark's core, for this script and the CI test: this process's Django must use the
    same database and secret key as the server (it writes the sessions and counts the rows)."""
    var_dir = var_dir or source / "var" / "bench"
    env = server_environment(
        database_url=database_url, secret_key=secret_key, var_dir=var_dir, source=source
    )
    collect_static(env, var_dir, source)
    citizens = sign_in_citizens(sessions or max(1, clients // 2))
    run = secrets.token_hex(4)

    def midway(tally: Tally) -> None:
        if kill:
            tally.killed.append(server.kill_one_worker())

    with Server(
        env=env, port=port, workers=workers, source=source, log=var_dir / "gunicorn.log"
    ) as server:
        started = time.perf_counter()
        tally = drive(
            port=port, citizens=citizens, messages=messages, clients=clients, run=run, midway=midway
        )
        seconds = time.perf_counter() - started
    return figures(tally, run, messages, seconds)


def database_url_of(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--sessions", type=int, help="browser sessions (default: clients / 2)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8250)
    parser.add_argument("--database", default="liuyan_intake_bench", help="recreated each run")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--source", type=Path, default=PROJECT, help="the checkout to serve")
    parser.add_argument("--no-kill", action="store_true", help="no worker is killed")
    args = parser.parse_args()

    source = args.source.resolve()
    database_url = f"{args.pg}/{args.database}"
    secret_key = secrets.token_urlsafe(50)
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", args.database], check=True)
    subprocess.run(
        ["createdb", *pg, "-T", "template0", "-E", "UTF8", "--lc-collate=C.UTF-8",
         "--lc-ctype=C.UTF-8", args.database],
        check=True,
    )  # fmt: skip
    var_dir = PROJECT / "var" / "bench"
    env = server_environment(
        database_url=database_url, secret_key=secret_key, var_dir=var_dir, source=source
    )
    migrate(env, source)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("LIUYAN_", "DJANGO_"))})
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    print(
        f"{args.messages} messages, {args.clients} clients over "
        f"{args.sessions or max(1, args.clients // 2)} sessions, {args.workers} gunicorn workers, "
        f"serving {source}"
    )
    result = run_load_fault(
        database_url=database_url,
        secret_key=secret_key,
        port=args.port,
        messages=args.messages,
        clients=args.clients,
        sessions=args.sessions,
        workers=args.workers,
        source=source,
        var_dir=var_dir,
        kill=not args.no_kill,
    )
    print("\n".join(result.lines()))
    print(
        "goal (0 lost, 0 doubled, 0 5xx, every send answered with its message):",
        "met" if result.goal_met else "MISSED",
    )
    return 0 if result.goal_met else 1


if __name__ == "__main__":
    sys.exit(main())
