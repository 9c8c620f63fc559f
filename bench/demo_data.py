"""How fast does `liuyan demo-data` write? Target: at least 5,000 messages/s on SQLite.

    .venv/bin/python bench/demo_data.py [--messages 50000] [--no-baseline] [--keep]

Each run gets a fresh SQLite database file in a temporary directory and a process of its own
(settings are read once per process): migrate, load the directory and the demo world, then time
the message generator alone. Printed per run: messages/s, rows/s, the rows per table, and where
the CPU time went (the writing process, the simulating workers).

Two runs by default, in this order: the load as `liuyan demo-data --messages N` does it (forked
workers, chunk databases, indexes built afterwards), then the baseline in the same session: the
same load simulated and written in one process (`processes=1`). The ratio of the two is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

PROJECT = Path(__file__).resolve().parents[1]
TARGET = 5000


def one_run(messages: int, seed: int, processes: int | None, keep: bool) -> dict:
    """In a child process: one load on a fresh database; returns the figures."""
    var_dir = Path(tempfile.mkdtemp(prefix="liuyan-bench-"))
    os.environ.update(
        LIUYAN_DEBUG="1",
        LIUYAN_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'bench.sqlite3'}",
        DJANGO_SETTINGS_MODULE="liuyan.settings",
    )
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command

    from liuyan.demo import world
    from liuyan.demo.generate import generate_messages

    try:
        started = perf_counter()
        call_command("migrate", verbosity=0)
        world.ensure_reference_data()
        world.ensure_world(seed=seed)
        setup = perf_counter() - started
        own_before = _cpu(resource.RUSAGE_SELF)
        outcome = generate_messages(messages, seed=seed, processes=processes)
        return {
            "setup_seconds": setup,
            "messages": outcome.messages,
            "seconds": outcome.seconds,
            "rows": outcome.rows,
            "states": dict(outcome.states.most_common()),
            "writer_cpu": _cpu(resource.RUSAGE_SELF) - own_before,
            # Pool workers are reaped when the load ends, so their time is all here.
            "worker_cpu": _cpu(resource.RUSAGE_CHILDREN),
            "database_mib": (var_dir / "bench.sqlite3").stat().st_size / 2**20,
            "database": str(var_dir),
        }
    finally:
        if not keep:
            shutil.rmtree(var_dir, ignore_errors=True)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_in_child(args, processes: int | None) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--messages",
        str(args.messages),
        "--seed",
        str(args.seed),
        "--processes",
        str(processes or 0),
    ] + (["--keep"] if args.keep else [])
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"the benchmark run failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(name: str, figures: dict) -> float:
    rate = figures["messages"] / figures["seconds"]
    total = sum(figures["rows"].values())
    print(f"\n{name}")
    print(f"  migrate + directory + demo world: {figures['setup_seconds']:.1f} s (not timed)")
    print(
        f"  {figures['messages']:,} messages in {figures['seconds']:.1f} s: "
        f"{rate:,.0f} messages/s; {total:,} rows, {total / figures['seconds']:,.0f} rows/s"
    )
    print(
        f"  CPU: writing process {figures['writer_cpu']:.1f} s, simulating workers "
        f"{figures['worker_cpu']:.1f} s ({figures['worker_cpu'] * 1000 / figures['messages']:.3f}"
        f" ms a message)"
    )
    rows = ", ".join(f"{name} {count:,}" for name, count in figures["rows"].items())
    print(f"  rows: {rows}")
    states = ", ".join(f"{state} {count:,}" for state, count in figures["states"].items())
    print(f"  states: {states}")
    print(f"  database: {figures['database_mib']:,.0f} MiB")
    return rate


def reference_loop_seconds() -> float:
    """A fixed pure-Python loop, timed, so that figures from different days and machines can be
    set side by side: on 2026-11-22 the development VM took 0.38-0.62 s over it, on a day when
    this load ran at half the speed of an earlier session."""
    started = perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the one-process baseline run"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--processes", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = one_run(args.messages, args.seed, args.processes or None, args.keep)
        print(json.dumps(figures))
        return

    print(
        f"{os.cpu_count()} CPUs; {args.messages:,} messages a run, seed {args.seed}; "
        f"reference loop (10 million additions in Python): {reference_loop_seconds():.2f} s"
    )
    rate = report("liuyan demo-data (as the command runs it)", run_in_child(args, None))
    verdict = "OK" if rate >= TARGET else "BELOW TARGET"
    if not args.no_baseline:
        baseline = report("baseline: the same load in one process", run_in_child(args, 1))
        print(f"\nspeed-up over the one-process baseline: {rate / baseline:.2f}x")
    print(f"\nresult: {rate:,.0f} messages/s (target {TARGET:,}: {verdict})")


if __name__ == "__main__":
    main()
