"""`liuyan demo-serve` (what `make demo` runs): the server and the task worker together, links in
notifications on the address it serves, and SIGTERM stops both."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from liuyan.notifications.texts import sms_text
from tests.notifications import steps

PORT = 8771
ADDRESS = f"127.0.0.1:{PORT}"


def _load_command_module():
    import importlib

    return importlib.import_module("liuyan.demo.management.commands.demo-serve")


def test_children_link_to_the_address_served_unless_the_site_url_is_set():
    module = _load_command_module()
    assert module.child_environment("127.0.0.1:8771", {})["LIUYAN_SITE_URL"] == (
        "http://127.0.0.1:8771"
    )
    assert module.child_environment("0.0.0.0:8772", {})["LIUYAN_SITE_URL"] == (
        "http://127.0.0.1:8772"
    )
    configured = {"LIUYAN_SITE_URL": "https://liuyan.example.gov.cn"}
    assert module.child_environment("127.0.0.1:8771", configured) == configured


def test_a_text_message_links_to_the_configured_site():
    class Note:
        title = "留言 20260302000001 已交办"

    text = sms_text(Note(), "http://127.0.0.1:8771/my/messages/20260302000001/")  # type: ignore[arg-type]
    assert "http://127.0.0.1:8771/my/messages/20260302000001/" in text


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        path = tmp_path / "demo.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_serve_delivers_notifications_and_stops_both_on_sigterm(world, tmp_path):
    world.handler.email = "handler@example.cn"
    world.handler.save()
    message = steps.dispatched(world)  # the notification task waits in the database queue
    env = dict(os.environ)
    env.pop("LIUYAN_SITE_URL", None)
    env.update(
        LIUYAN_DEBUG="1",
        DATABASE_URL=_database_url(tmp_path),
        LIUYAN_VAR_DIR=str(tmp_path / "var"),
        LIUYAN_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LIUYAN_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    (tmp_path / "var").mkdir()
    log = tmp_path / "demo-serve.log"
    with log.open("wb") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "liuyan", "demo-serve", ADDRESS, "--interval", "0.2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            pids = _wait(
                lambda: re.search(r"server pid (\d+), worker pid (\d+)", log.read_text()),
                30,
                "the child processes",
            )
            server, worker = int(pids.group(1)), int(pids.group(2))
            # The worker sends the unit's e-mail, whose link is on the port served.
            link = f"http://{ADDRESS}/desk/unit/assignments/{steps.lead(message).pk}/"
            _wait(lambda: link in log.read_text(), 90, "the e-mail with the served address")
            page = _wait(lambda: _get(f"http://{ADDRESS}/"), 60, "the server")
            assert page == 200
        finally:
            supervisor.send_signal(signal.SIGTERM)
            supervisor.wait(30)
    assert supervisor.returncode == 0
    assert not _alive(server) and not _alive(worker)
    assert "8000" not in re.findall(r"http://127\.0\.0\.1:(\d+)/desk/", log.read_text())


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status
    except OSError:
        return None
