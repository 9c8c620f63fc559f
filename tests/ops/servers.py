"""Helpers for tests that start the real production server in a subprocess."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIUYAN = [sys.executable, "-m", "liuyan"]
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "liuyan/gunicorn_conf.py"]
PORTS = range(8100, 8200)  # this project's test servers stay in one small, known range


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production start: DEBUG off, plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIUYAN_", "DATABASE_URL"))}
    # Playwright's tests set this in our process; check --deploy rightly refuses it (async.E001).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        {
            "LIUYAN_SECRET_KEY": secrets.token_urlsafe(50),
            "LIUYAN_ALLOWED_HOSTS": "127.0.0.1",
            "LIUYAN_VAR_DIR": str(var_dir),
            "LIUYAN_SSL_REDIRECT": "0",
            "LIUYAN_SECURE_COOKIES": "0",
            **extra,
        }
    )
    return env


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(url: str, process: subprocess.Popen, seconds: float) -> None:
    """Until the server answers at all, or fail with what it printed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            get(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"server did not answer {url} within {seconds} s")


def worker_pids(master_pid: int) -> list[int]:
    """The children of a gunicorn master, read from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def said(msgid: str) -> str:
    """The longest literal piece of what a command prints for msgid (commands speak Chinese)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return max(re.split(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdf]", text), key=len)
