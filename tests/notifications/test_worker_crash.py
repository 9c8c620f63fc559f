"""A worker killed with SIGKILL in the middle of sending an e-mail loses nothing.

Everything here is real: the `liuyan db_worker` process takes the queued notification task and
connects to an SMTP server started by the test, which accepts the connection and never answers.
The test kills the worker there, with the delivery left "sending", then runs `liuyan tick`: before
the lease is over the delivery stays put; after it, the e-mail goes out exactly once, and the
dead worker's task, queued again by the tick, runs in a new worker without sending anything twice.

On SQLite the suite's database lives in memory, so the committed state is copied to a file
(SQLite's backup API) that the worker and tick processes open.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from liuyan.board import services as s
from liuyan.notifications.models import Delivery

from . import steps

LEASE_SECONDS = 10  # long enough for a tick to start and finish inside it
NOTIFY_TASK = "liuyan.notifications.dispatch.notify_event"
LIUYAN = str(Path(sys.executable).with_name("liuyan"))


class SMTPServer:
    """A loopback SMTP server. The first connection is accepted and never answered (a hung
    mail server); the ones after it are served just enough SMTP to hand over a message."""

    def __init__(self):
        # Port 0: the system picks a free one, so parallel runs on one machine never collide.
        self.listener = socket.create_server(("127.0.0.1", 0), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.messages: list[str] = []
        self.hung = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections == 1:
                self._held.append(client)  # keep it open, say nothing
                self.hung.set()
            else:
                threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as lines:
            client.sendall(b"220 test ESMTP\r\n")
            for raw in lines:
                command = raw.decode("ascii", "replace").strip().upper()
                if command.startswith(("EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                    client.sendall(b"250 ok\r\n")
                elif command == "DATA":
                    client.sendall(b"354 go on\r\n")
                    self.messages.append(self._read_data(lines))
                    client.sendall(b"250 queued\r\n")
                elif command == "QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                else:
                    client.sendall(b"502 not here\r\n")

    @staticmethod
    def _read_data(lines) -> str:
        body = []
        for raw in lines:
            if raw in (b".\r\n", b".\n"):
                break
            body.append(raw.decode("utf-8", "replace"))
        return "".join(body)

    def close(self) -> None:
        self.listener.close()
        for client in self._held:
            client.close()


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    yield server
    server.close()


def _database_for_processes(tmp_path: Path) -> tuple[str, Path | None]:
    """A DATABASE_URL other processes can open, holding everything committed so far."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}", path
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}", None


def _env(database_url: str, tmp_path: Path, smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LIUYAN_DEBUG="1",
        DATABASE_URL=database_url,
        LIUYAN_VAR_DIR=str(tmp_path / "var"),
        LIUYAN_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        LIUYAN_EMAIL_HOST="127.0.0.1",
        LIUYAN_EMAIL_PORT=str(smtp_port),
        LIUYAN_EMAIL_TIMEOUT="600",  # the worker must hang until it is killed
        LIUYAN_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
        LIUYAN_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    return env


def _email_delivery(pk: int, sqlite_file: Path | None) -> tuple[str, int, datetime | None]:
    """(status, attempts, lease_until) of the delivery, read from the shared database."""
    if sqlite_file is None:
        delivery = Delivery.objects.get(pk=pk)
        return delivery.status, delivery.attempts, delivery.lease_until
    with sqlite3.connect(sqlite_file) as db:
        status, attempts, lease_until = db.execute(
            "SELECT status, attempts, lease_until FROM notifications_delivery WHERE id = ?", [pk]
        ).fetchone()
    lease = datetime.fromisoformat(lease_until).replace(tzinfo=UTC) if lease_until else None
    return status, attempts, lease


def _email_delivery_status(pk: int, sqlite_file: Path | None) -> tuple[str, int]:
    return _email_delivery(pk, sqlite_file)[:2]


def _email_delivery_id(sqlite_file: Path | None) -> int | None:
    if sqlite_file is None:
        return Delivery.objects.filter(channel="email").values_list("pk", flat=True).first()
    with sqlite3.connect(sqlite_file) as db:
        row = db.execute("SELECT id FROM notifications_delivery WHERE channel = 'email'").fetchone()
    return row[0] if row else None


def _task_status(sqlite_file: Path | None) -> str:
    if sqlite_file is None:
        return DBTaskResult.objects.get(task_path=NOTIFY_TASK).status
    with sqlite3.connect(sqlite_file) as db:
        return db.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
            [NOTIFY_TASK],
        ).fetchone()[0]


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _tick(env) -> None:
    subprocess.run([LIUYAN, "tick"], env=env, check=True, capture_output=True, timeout=120)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_delivery_left_sending_by_a_killed_worker_is_sent_once_after_the_lease(
    world, smtp_server, tmp_path
):
    world.handler.email = "handler@example.org"
    world.handler.save()
    m = steps.submitted(world)
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau)
    assert DBTaskResult.objects.count() == 1
    database_url, sqlite_file = _database_for_processes(tmp_path)
    env = _env(database_url, tmp_path, smtp_server.port)

    worker = subprocess.Popen(
        [LIUYAN, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp_server.hung.wait(60), "the worker never connected to the mail server"
        delivery_id = _wait_for(lambda: _email_delivery_id(sqlite_file), 10, "the delivery")
        status, attempts, lease_until = _email_delivery(delivery_id, sqlite_file)
        assert (status, attempts) == ("sending", 1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert worker.returncode == -signal.SIGKILL

    _tick(env)  # within the lease: the dead worker's claim still stands
    assert datetime.now(UTC) < lease_until, "the tick came too late to test the lease"
    assert _email_delivery_status(delivery_id, sqlite_file) == ("sending", 1)
    assert smtp_server.messages == []

    time.sleep(max(0.0, (lease_until - datetime.now(UTC)).total_seconds()) + 0.5)
    _tick(env)  # past the lease: taken back and sent again
    assert _email_delivery_status(delivery_id, sqlite_file) == ("sent", 2)
    assert len(smtp_server.messages) == 1
    assert "handler@example.org" in smtp_server.messages[0]

    # The tick also put the dead worker's task back in the queue; a new worker runs it again
    # (idempotent: it finds the notifications made and the e-mail sent), and nothing doubles.
    subprocess.run(
        [LIUYAN, "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    _tick(env)
    assert len(smtp_server.messages) == 1
    assert _email_delivery_status(delivery_id, sqlite_file) == ("sent", 2)
    assert _task_status(sqlite_file) == "SUCCESSFUL"
