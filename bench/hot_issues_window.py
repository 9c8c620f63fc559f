"""Time and peak memory of the hot-issue clustering over a synthetic 30-day window of N messages.

    .venv/bin/python bench/hot_issues_window.py --messages 20000 100000 [--old DIR] [--rounds 1]

No database: each run is a child process that writes a window of N messages with the demo
text generator (real counties from the region codes, each message filed under its county, one
in ten under its prefecture; three in ten repeat an earlier message's problem and place, so
there are hot issues to find, in proportions like a demo load) and then calls
``liuyan.insight.hot.hot_issues`` on it, as ``liuyan hot-issues`` does for the staff view. It
prints the time of the clustering alone (wall and CPU: on a shared machine the wall time counts
the neighbours too) and the child's peak resident memory (ru_maxrss), which includes the
messages themselves (as the command holds them too).

``--old DIR`` runs the same windows with the code of another checkout (``git worktree add
var/base <commit>``), alternating with this one, in the same session. The windows are the same
for both: the generator is seeded with the size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

CHILD = r"""
import random, resource, sys, time
from datetime import datetime, timedelta, timezone
from liuyan.demo.text import TextGenerator
from liuyan.directory.regions import COUNTY, level_of, read_adcodes
from liuyan.insight.hot import HotMessage, hot_issues

size = int(sys.argv[1])
rng = random.Random(size)
names = dict(read_adcodes())
counties = [code for code in names if level_of(code) == COUNTY]
rng.shuffle(counties)
# Few counties write most: weights fall with rank, as the messages of a real platform do.
weights = [1 / (rank + 1) ** 0.7 for rank in range(len(counties))]
text = TextGenerator(rng)
now = datetime(2026, 12, 1, tzinfo=timezone.utc)
drafts, messages = [], []
for index in range(size):
    if drafts and rng.random() < 0.3:
        county, earlier = rng.choice(drafts)
        draft = text.draft(county=names[county], problem=earlier.problem, place=earlier.place)
    else:
        county = rng.choices(counties, weights)[0]
        draft = text.draft(county=names[county])
        drafts.append((county, draft))
    path = (county[:2] + "0000", county[:4] + "00", county)
    if rng.random() < 0.1:
        path = path[:2]
    messages.append(
        HotMessage(
            id=index,
            title=draft.title,
            body=draft.body,
            time=now - timedelta(seconds=rng.randrange(30 * 86400)),
            author=str(rng.randrange(size)),
            likes=rng.choice((0, 0, 0, 1, 2, 5)),
            region_path=path,
        )
    )
del drafts
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
issues = hot_issues(messages, top=50, now=now)
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
top = issues[0] if issues else None
print(f"{seconds:.1f} {cpu_seconds:.1f} {peak:.0f} {len(top.message_ids) if top else 0}")
"""


def run(source: Path, size: int) -> tuple[float, float, float, int]:
    env = {**os.environ, "PYTHONPATH": str(source), "DJANGO_SETTINGS_MODULE": ""}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(size)],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{source} at {size}: {done.returncode}\n{done.stderr[-2000:]}")
    seconds, cpu, peak, top = done.stdout.split()
    return float(seconds), float(cpu), float(peak), int(top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    sources = {"new": PROJECT}
    if args.old:
        sources = {"old": args.old.resolve(), **sources}
    for size in args.messages:
        for round_ in range(args.rounds):
            for name, source in sources.items():
                seconds, cpu, peak, top = run(source, size)
                print(
                    f"{size:>9,} messages  round {round_ + 1}  {name:3}"
                    f"  clustering {seconds:7.1f} s ({cpu:.1f} s CPU)"
                    f"  peak {peak:7,.0f} MB  largest top issue {top}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
