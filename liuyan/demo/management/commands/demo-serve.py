"""`liuyan demo-serve`: the development server and the task worker, started and stopped together.

`make demo` runs this, so notifications (e-mail, text messages, the inbox) are delivered in the
demo as in production, where the worker is its own systemd unit. Each child runs in its own
process group: Ctrl-C or SIGTERM to this command stops both (and runserver's reloader child with
them); when either child ends, the other is stopped too and the command exits with its code.

Links in e-mails and texts are made with LIUYAN_SITE_URL; unless it is set, both children get
the address this command serves on, so a demo on another port links to itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_ADDRESS = "127.0.0.1:8000"
STOP_SECONDS = 10


def site_url(address: str) -> str:
    """The base URL for links, from runserver's `host:port` (or a bare port)."""
    host, _sep, port = address.rpartition(":")
    host = host or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - reading an address, not binding one
        host = "127.0.0.1"  # listening everywhere: this machine's own address is one of them
    return f"http://{host}:{port}"


def child_environment(address: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    if not env.get("LIUYAN_SITE_URL"):
        env["LIUYAN_SITE_URL"] = site_url(address)
    return env


class Command(BaseCommand):
    help = (
        "Run the development server and the background task worker together; "
        "Ctrl-C or SIGTERM stops both (make demo)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default=DEFAULT_ADDRESS, help="host:port")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds the worker waits between looks at the queue.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo-serve is for development; production runs serve-prod.")
        address = options["address"]
        env = child_environment(address)
        liuyan = [sys.executable, "-m", "liuyan"]
        commands = {
            "server": [*liuyan, "runserver", address],
            "worker": [
                *liuyan,
                "db_worker",
                "--no-reload",
                "--interval",
                str(options["interval"]),
            ],
        }
        children: dict[str, subprocess.Popen] = {}
        stopping: list[int] = []

        def stop(signum, _frame) -> None:
            stopping.append(signum)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(command, env=env, start_new_session=True)
            self.stdout.write(
                f"demo-serve: server pid {children['server'].pid}, "
                f"worker pid {children['worker'].pid}; links use {env['LIUYAN_SITE_URL']}"
            )
            self.stdout.flush()
            code = self._watch(children, stopping)
        finally:
            self._stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if code:
            sys.exit(code)

    @staticmethod
    def _watch(children: dict[str, subprocess.Popen], stopping: list[int]) -> int:
        """Wait until a signal comes or a child ends; the exit code to pass on."""
        while not stopping:
            for child in children.values():
                code = child.poll()
                if code is not None:
                    return code
            time.sleep(0.2)
        return 0

    @staticmethod
    def _stop_all(children: dict[str, subprocess.Popen]) -> None:
        """SIGTERM each child's process group, then SIGKILL what is left after a grace time."""
        for child in children.values():
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
            _signal_group(child, signal.SIGKILL)  # runserver's reloader child, if it lingers


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited already
        os.killpg(child.pid, sig)
