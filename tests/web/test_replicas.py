"""Read replicas against a real PostgreSQL primary and streaming replica of the test's own.

The test builds both servers in temporary folders (initdb as the `postgres` OS user, replication
allowed in their own pg_hba.conf, pg_basebackup -R for the replica) on ports 8791 and 8792,
leaving the machine's server alone, and runs `liuyan runserver` on 8790 with DATABASE_URL and
LIUYAN_REPLICA_URLS pointing at them. Which server answered a page is read from each server's
statement log (log_statement = all): a SELECT on board_message in one log and not the other.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PRIMARY_PORT, REPLICA_PORT, WEB_PORT = 8791, 8792, 8790
MAX_LAG = 3.0
BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
PROJECT = Path(__file__).resolve().parents[2]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []  # runs as whoever we are (e.g. the postgres user in CI)
    return ["runuser", "-u", "postgres", "--"]


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.data = folder / f"data{port}"
        self.log = folder / f"server{port}.log"
        self.port = port
        self.socket_dir = folder

    def run(self, *args: str) -> None:
        subprocess.run([*_as_postgres(), *args], check=True, capture_output=True, timeout=60)

    def configure(self) -> None:
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "log_statement = 'all'\nfsync = off\nmax_connections = 40\n"
            )

    def start(self) -> None:
        self.run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            [*_as_postgres(), _pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            capture_output=True,
            timeout=60,
        )

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=liuyan"
        with psycopg.connect(dsn, autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def selects_of_messages(self) -> int:
        text = self.log.read_text(errors="replace")
        return len(re.findall(r'statement: SELECT[^\n]*FROM "board_message"', text))

    def writes(self) -> int:
        text = self.log.read_text(errors="replace")
        return len(re.findall(r"statement: (?:INSERT|UPDATE|DELETE)\b", text))


@pytest.fixture
def servers():
    missing = [name for name in BINARIES if _pg_bin(name) is None]
    if missing:
        pytest.skip(f"PostgreSQL server binaries not found: {', '.join(missing)}")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is needed to run initdb as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="liuyan-replicas-"))
    primary, replica = Cluster(folder, PRIMARY_PORT), Cluster(folder, REPLICA_PORT)
    web = None
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        primary.run(
            _pg_bin("initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        (primary.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        primary.configure()
        primary.start()
        primary.run(
            "psql", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres", "-c",
            "CREATE DATABASE liuyan TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        )  # fmt: skip
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/liuyan",
            "LIUYAN_DEBUG": "1",
            "LIUYAN_VAR_DIR": str(folder / "var"),
        }
        liuyan = [sys.executable, "-m", "liuyan"]
        for command in (["migrate", "-v0"], ["demo-data", "--messages", "40"]):
            subprocess.run(
                [*liuyan, *command], env=env, cwd=PROJECT, check=True, capture_output=True,
                timeout=120,
            )  # fmt: skip
        primary.run(
            _pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U",
            "postgres", "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        replica.configure()
        replica.start()
        env |= {
            "LIUYAN_REPLICA_URLS": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/liuyan",
            "LIUYAN_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
            "LIUYAN_REPLICA_CHECK_SECONDS": "0.3",
            "LIUYAN_REPLICA_CONNECT_TIMEOUT": "1",
        }
        web_log = folder / "web.log"
        web = subprocess.Popen(
            [*liuyan, "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload", "--skip-checks"],
            env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=web_log.open("w"),
        )  # fmt: skip
        _wait_for_web(web, web_log)
        yield primary, replica
    finally:
        if web is not None:
            web.terminate()
            try:
                web.wait(timeout=3)
            except subprocess.TimeoutExpired:
                web.kill()
        replica.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_web(web: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise AssertionError(f"runserver exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{WEB_PORT}/boards/", timeout=10)
            return
        except OSError:  # refused while starting, or URLError / timeout
            time.sleep(0.2)
    raise AssertionError("runserver did not answer within 30 s")


class Browser:
    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(f"http://127.0.0.1:{WEB_PORT}{path}", timeout=15) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> int:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{WEB_PORT}{path}",
            data=data,
            headers={"Referer": f"http://127.0.0.1:{WEB_PORT}{path}"},
        )
        try:
            with self.opener.open(request, timeout=15) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code


def _caught_up(primary: Cluster, replica: Cluster) -> None:
    """Commit on the primary and wait until the replica has replayed it."""
    primary.sql("CREATE TABLE IF NOT EXISTS replica_probe (at timestamptz)")
    primary.sql("INSERT INTO replica_probe VALUES (now())")
    lsn = primary.sql("SELECT pg_current_wal_lsn()")[0][0]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if replica.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))[0][0]:
            return
        time.sleep(0.05)
    raise AssertionError("replica did not catch up")


def test_replica_serves_public_reads_and_degrades_to_primary(servers):
    primary, replica = servers
    visitor, writer = Browser(), Browser()
    serial, title = primary.sql(
        "SELECT serial, public_title FROM board_message WHERE is_public "
        "AND state IN ('replied', 'closed', 'rated') ORDER BY id LIMIT 1"
    )[0]
    page = f"/messages/{serial}/"

    # Public pages and search read from the replica, not the primary.
    before = primary.selects_of_messages(), replica.selects_of_messages()
    for path in (page, "/search/?q=" + urllib.parse.quote(title[:2]), "/boards/"):
        status, _ = visitor.get(path)
        assert status == 200, path
    assert replica.selects_of_messages() > before[1]
    assert primary.selects_of_messages() == before[0]

    # A write goes to the primary and never to the replica; the writer now reads the primary.
    writer.get("/accounts/login/password/")
    writes = primary.writes()
    assert writer.post("/accounts/login/password/", {"phone": "13800000000", "password": "x"})
    assert primary.writes() > writes
    assert replica.writes() == 0

    # Replay paused: the replica is stale (within the lag bound) for a visitor, while the writer,
    # who just wrote, reads the new title at once from the primary.
    _caught_up(primary, replica)
    replica.sql("SELECT pg_wal_replay_pause()")
    started = time.monotonic()
    primary.sql(
        "UPDATE board_message SET public_title = 'REPLICA-CHECK' WHERE serial = %s", (serial,)
    )
    assert "REPLICA-CHECK" in writer.get(page)[1]
    status, body = visitor.get(page)
    assert time.monotonic() - started < MAX_LAG, "too slow to see the replica within its bound"
    assert status == 200 and "REPLICA-CHECK" not in body and title in body

    # Behind by more than the bound: skipped, the primary serves the visitor, no error.
    time.sleep(MAX_LAG + 0.5)
    replica_reads = replica.selects_of_messages()
    status, body = visitor.get(page)
    assert status == 200 and "REPLICA-CHECK" in body
    assert replica.selects_of_messages() == replica_reads

    # Caught up again: back on the replica.
    replica.sql("SELECT pg_wal_replay_resume()")
    _caught_up(primary, replica)
    time.sleep(0.5)
    status, body = visitor.get(page)
    assert status == 200 and "REPLICA-CHECK" in body
    assert replica.selects_of_messages() > replica_reads

    # Gone: stopped between two health checks and after; every page still answers.
    replica.stop("immediate")
    for path in (page, "/search/?q=" + urllib.parse.quote("REPLICA"), page):
        status, body = visitor.get(path)
        assert status == 200, path
    assert "REPLICA-CHECK" in body
