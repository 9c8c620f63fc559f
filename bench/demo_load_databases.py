"""`liuyan demo-data --messages N` on SQLite and on PostgreSQL, old code and new, alternating.

    .venv/bin/python bench/demo_load_databases.py --sqlite-template var/bench/load-tpl \
        --pg-template liuyan_scale2_tpl [--old DIR] [--messages 50000] [--rounds 1]

Both templates hold a migrated database with the demo world and no messages (`liuyan migrate`
then `liuyan demo-data --messages 0`): a SQLite var directory, and a PostgreSQL database. Each
run starts from a fresh copy (a copied file; `createdb -T`), loads N messages in a child process
running this checkout or ``--old`` (another checkout, e.g. `git worktree add var/base <commit>`),
and prints the messages/s the command reports (the load alone, ANALYZE included) and the wall
time of the command. Scratch databases are named liuyan_bench_load and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = ["-h", "127.0.0.1", "-U", "postgres"]
SCRATCH = "liuyan_bench_load"


def load(source: Path, env: dict[str, str], messages: int) -> tuple[float, str]:
    env = {**env, "PYTHONPATH": str(source), "LIUYAN_DEBUG": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "liuyan"), "demo-data", "--messages", str(messages)],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    said = [line for line in result.stdout.splitlines() if "/s" in line or "秒" in line]
    return seconds, said[0] if said else result.stdout.strip().splitlines()[0]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-template", type=Path, required=True)
    parser.add_argument("--pg-template", required=True)
    parser.add_argument("--old", type=Path)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("LIUYAN_") and k != "DATABASE_URL"
    }
    sources = {"new": PROJECT}
    if args.old:
        sources = {"old": args.old.resolve(), **sources}
    for round_ in range(args.rounds):
        for database in ("sqlite", "postgresql"):
            for name, source in sources.items():
                scratch = Path(tempfile.mkdtemp(prefix="liuyan-load-"))
                try:
                    if database == "sqlite":
                        shutil.copytree(args.sqlite_template, scratch, dirs_exist_ok=True)
                        env = {**base, "LIUYAN_VAR_DIR": str(scratch)}
                    else:
                        subprocess.run(["dropdb", *PG, "--if-exists", SCRATCH], check=True)
                        subprocess.run(
                            ["createdb", *PG, "-T", args.pg_template, SCRATCH], check=True
                        )
                        env = {
                            **base,
                            "LIUYAN_VAR_DIR": str(scratch),
                            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{SCRATCH}",
                        }
                    seconds, said = load(source, env, args.messages)
                    print(
                        f"round {round_ + 1}: {database:10} {name:3} {args.messages:,} messages"
                        f" in {seconds:6.1f} s ({args.messages / seconds:,.0f}/s wall)  {said}",
                        flush=True,
                    )
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                    if database == "postgresql":
                        subprocess.run(["dropdb", *PG, "--if-exists", SCRATCH], check=False)


if __name__ == "__main__":
    main()
