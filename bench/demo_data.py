"""How fast does `liuyan demo-data` write? Target: at least 5,000 messages/s on SQLite.

    .venv/bin/python bench/demo_data.py [--messages 50000] [--keep]

Builds a fresh SQLite database in a temporary directory (set before Django starts), migrates,
loads the directory, then times the message generator alone and prints messages/s and the rows
written per table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from time import perf_counter

PROJECT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

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

    from liuyan.board.demo import world
    from liuyan.board.demo.generate import generate_messages

    try:
        started = perf_counter()
        call_command("migrate", verbosity=0)
        world.ensure_reference_data()
        world.ensure_world(seed=args.seed)
        print(f"migrate + directory + demo world: {perf_counter() - started:.1f} s")
        outcome = generate_messages(args.messages, seed=args.seed)
        verdict = "OK" if outcome.per_second >= 5000 else "BELOW TARGET"
        print(
            f"{outcome.messages:,} messages in {outcome.seconds:.1f} s: "
            f"{outcome.per_second:,.0f} messages/s (target 5,000: {verdict})"
        )
        total = sum(outcome.rows.values())
        print(f"{total:,} rows, {total / outcome.seconds:,.0f} rows/s:")
        for name, count in outcome.rows.items():
            print(f"  {name:<18}{count:>12,}")
        states = ", ".join(f"{state} {n:,}" for state, n in outcome.states.most_common())
        print(f"states: {states}")
        size = (var_dir / "bench.sqlite3").stat().st_size
        print(f"database: {size / 2**20:,.0f} MiB at {var_dir}")
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
