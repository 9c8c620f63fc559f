"""Peak memory of `liuyan export` at two sizes: it must not grow with the number of messages.

    LIUYAN_DEBUG=1 .venv/bin/python bench/export_memory.py [--small 10000] [--large 1000000]
        [--formats csv,jsonl,xlsx] [--keep DIR] [--skip-small] [--debug]

In a fresh SQLite database (temporary directory, or --keep DIR to reuse one): `liuyan demo-data
--messages SMALL` makes realistic messages with replies and timelines; each export is run in a
process of its own (`liuyan export --format F --output FILE`) and its peak resident memory
(ru_maxrss of the child) is printed beside the same process's memory before the export began
(Django and the app loaded) and its time. The export runs with DEBUG off, as in production
(`--debug` keeps it on; the export clears Django's query log per chunk either way), although the
database is made with LIUYAN_DEBUG=1 (no production secrets needed). Then the messages, their
events and replies are copied with `INSERT ... SELECT` until the database holds LARGE messages,
and the exports are measured again. (The copies repeat the demo's text; what is measured is the
reader and the writers, whose memory must not depend on the number of rows.)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def env_for(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LIUYAN_DEBUG="1",
        LIUYAN_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'bench.sqlite3'}",
    )
    return env


def liuyan(var: Path, *args: str) -> None:
    subprocess.run([str(PROJECT / ".venv/bin/liuyan"), *args], env=env_for(var), check=True)


def measure(var: Path, fmt: str, debug: bool = False) -> tuple[float, float, float, int]:
    """(MiB before the export, peak MiB, seconds, bytes written) in a child process."""
    out = var / f"export.{fmt}"
    code = f"""
import os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
sys.path.insert(0, {str(PROJECT)!r})
import django
django.setup()
from django.core.management import call_command
import openpyxl  # loaded before the baseline, as the command would
from django.conf import settings
# As in production: no query log (the database's `queries_logged` reads DEBUG at each query).
# The export also clears that log per chunk when DEBUG is on; --debug measures that case.
settings.DEBUG = {debug!r}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
call_command("export", "--format", {fmt!r}, "--output", {str(out)!r})
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - start)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], env=env_for(var), check=True, capture_output=True, text=True
    )
    before, peak, seconds = result.stdout.split()[-3:]
    return int(before) / 1024, int(peak) / 1024, float(seconds), out.stat().st_size


def count(var: Path) -> int:
    import sqlite3

    with sqlite3.connect(var / "bench.sqlite3") as db:
        return db.execute("SELECT count(*) FROM board_message").fetchone()[0]


def grow(var: Path, target: int) -> None:
    """Copy the messages (with their events and replies) until there are `target` of them."""
    import sqlite3

    db = sqlite3.connect(var / "bench.sqlite3")
    base_max = db.execute("SELECT max(id) FROM board_message").fetchone()[0]
    base_count = db.execute("SELECT count(*) FROM board_message").fetchone()[0]

    def columns(table: str) -> list[str]:
        return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]

    message_cols = columns("board_message")
    event_cols = [c for c in columns("board_event") if c != "id"]
    reply_cols = [c for c in columns("board_reply") if c != "id"]
    db.execute("PRAGMA foreign_keys=OFF")
    copies = max(0, (target - base_count) // base_count)
    for k in range(1, copies + 1):
        offset = k * (base_max + 1)
        pick = {
            "id": f"id + {offset}",
            "serial": f"'C{offset}-' || serial",  # unique even over earlier copies
        }
        db.execute(
            f"INSERT INTO board_message ({', '.join(message_cols)}) SELECT "
            + ", ".join(pick.get(c, c) for c in message_cols)
            + f" FROM board_message WHERE id <= {base_max}"
        )
        db.execute(
            f"INSERT INTO board_event ({', '.join(event_cols)}) SELECT "
            + ", ".join(f"message_id + {offset}" if c == "message_id" else c for c in event_cols)
            + f" FROM board_event WHERE message_id <= {base_max}"
        )
        db.execute(
            f"INSERT INTO board_reply ({', '.join(reply_cols)}) SELECT "
            + ", ".join(f"message_id + {offset}" if c == "message_id" else c for c in reply_cols)
            + f" FROM board_reply WHERE message_id <= {base_max}"
        )
        db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,jsonl,xlsx")
    parser.add_argument("--keep", help="work in this directory (kept afterwards)")
    parser.add_argument("--skip-small", action="store_true", help="measure only the large size")
    parser.add_argument(
        "--debug", action="store_true", help="export with DEBUG on (default: off, as in production)"
    )
    args = parser.parse_args()
    var = Path(args.keep or tempfile.mkdtemp(prefix="liuyan-bench-export-"))
    var.mkdir(parents=True, exist_ok=True)
    formats = args.formats.split(",")
    if not (var / "bench.sqlite3").exists():
        liuyan(var, "migrate", "-v0")
        start = time.perf_counter()
        liuyan(var, "demo-data", "--messages", str(args.small))
        print(f"demo-data --messages {args.small}: {time.perf_counter() - start:.0f} s")
    for size in (args.large,) if args.skip_small else (args.small, args.large):
        if count(var) < size:
            start = time.perf_counter()
            grow(var, size)
            print(f"copied up to {count(var)} messages in {time.perf_counter() - start:.0f} s")
        n = count(var)
        for fmt in formats:
            before, peak, seconds, size_bytes = measure(var, fmt, args.debug)
            print(
                f"{n:9d} messages  {fmt:5s}  peak {peak:7.1f} MiB  (before export {before:6.1f} "
                f"MiB, +{peak - before:6.1f})  {seconds:7.1f} s  {size_bytes / 2**20:8.1f} MiB "
                "written",
                flush=True,
            )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"own peak (the driver): {own} MiB")


if __name__ == "__main__":
    main()
