"""Time and peak memory of `liuyan hot-issues` on a kept load-test database, old code and new.

    DATABASE_URL=postgres://…/liuyan_scale2 .venv/bin/python bench/hot_issues_scale.py \
        [--old DIR] [--rounds 2]

Runs `liuyan hot-issues` (the daily computation over the last 30 days, both views) in a child
process per run, from this checkout and from ``--old`` (another checkout, e.g. `git worktree add
var/base <commit>`), alternating, and prints wall time and peak resident memory (the child's
ru_maxrss). The command replaces the stored hot issues, so use a copy of a load-test database
(`createdb -T liuyan_search liuyan_scale2`), never one that matters.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(source: Path) -> tuple[float, float, str]:
    """Seconds, peak MB and the command's last line."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(BIN / "liuyan"), "hot-issues"], env=env, cwd=source, stdout=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    output = child.stdout.read().strip() if child.stdout else ""
    if status:
        raise SystemExit(f"hot-issues failed in {source}: {status}")
    return seconds, usage.ru_maxrss / 1024, output.splitlines()[-1] if output else ""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL to a copy of a load-test database")
    sources = {"new": PROJECT}
    if args.old:
        sources = {"old": args.old.resolve(), **sources}
    for round_ in range(args.rounds):
        for name, source in sources.items():
            seconds, peak, said = run(source)
            print(f"round {round_ + 1}: {name:3} {seconds:7.1f} s  peak {peak:7.0f} MB  {said}")


if __name__ == "__main__":
    main()
