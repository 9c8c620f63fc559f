"""Search, screening and tick at scale, on an existing load-test database, old code against new.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/liuyan_search LIUYAN_DEBUG=1
    .venv/bin/liuyan demo-data --messages 300000           # once; keep the database
    # the old code (a worktree of main, before `liuyan migrate` of this branch):
    PYTHONPATH=../main-worktree .venv/bin/python bench/search_scale.py --out var/bench/old.json
    .venv/bin/liuyan migrate && .venv/bin/liuyan similarity-index
    .venv/bin/python bench/search_scale.py --out var/bench/new.json --baseline var/bench/old.json

What it measures, each in the code that is on the Python path:

- search_public() server time (search, ranking, highlighting; no HTTP), p50/p95 over --repeat
  runs after one warm-up: the common word 物业 at page 1 and page 50, a rare word, two words;
- the moderator's screening page, the first request of a new process (a child process that
  sets Django up, signs a moderator in and asks once): the old code built the similarity index
  in that request;
- `liuyan tick`, run twice in a child process each; the second run is the steady state (the
  first sends every reminder that was due, once).

With --baseline it prints the ratio old/new of each figure. Nothing here changes the messages
but tick, which does what it does every few minutes in production.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = {
    "common word 物业, page 1": ("物业", 1),
    "common word 物业, page 50": ("物业", 50),
    "rare word": (None, 1),  # chosen from the data: see rare_word()
    "two words 物业 停车": ("物业 停车", 1),
}
PAGE = 20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--out", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--baseline", type=Path, help="JSON of the old code, for the ratios")
    parser.add_argument("--skip-tick", action="store_true")
    parser.add_argument("--child", choices=("screening",), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rare_word() -> str:
    """A word with a few dozen public matches: the search text of a public message, its least
    frequent word that still has 10-100 matches (counted with the old and new code alike)."""
    from liuyan.board.search import search_public

    for word in ("蚊虫", "垃圾分类", "井盖", "噪音", "路灯", "漏水", "占道", "学位"):
        count = 0
        offset = 0
        while True:
            page = search_public(word, limit=100, offset=offset)
            count += len(page.hits)
            if not page.has_more or count > 100:
                break
            offset += 100
        if 10 <= count <= 100:
            return word
    return "井盖"


def time_search(repeat: int) -> dict[str, dict[str, float]]:
    from liuyan.board.search import search_public

    results = {}
    for label, (query, page) in QUERIES.items():
        query = query or rare_word()
        offset = (page - 1) * PAGE
        search_public(query, limit=PAGE, offset=offset)  # warm-up
        times = []
        hits = 0
        for _ in range(repeat):
            started = time.perf_counter()
            found = search_public(query, limit=PAGE, offset=offset)
            times.append((time.perf_counter() - started) * 1000)
            hits = len(found.hits)
        results[label] = {
            "query": query,
            "hits": hits,
            "p50_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
        }
        print(
            f"  {label:28} {query:8} p50 {results[label]['p50_ms']:8.1f} ms "
            f"p95 {results[label]['p95_ms']:8.1f} ms  ({hits} hits)",
            flush=True,
        )
    return results


def screening_child() -> None:
    """One new process: set up, sign the moderator in, time the first screening request."""
    started = time.perf_counter()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from liuyan.accounts.sessions import AUTH_LEVEL, BY_TWO_FACTORS

    ready = time.perf_counter()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="demo-moderator"))
    session = client.session
    session[AUTH_LEVEL] = BY_TWO_FACTORS
    session.save()
    first = time.perf_counter()
    response = client.get("/desk/moderate/")
    done = time.perf_counter()
    detail_id = None
    print(
        json.dumps(
            {
                "status": response.status_code,
                "setup_s": ready - started,
                "first_request_s": done - first,
                "detail_id": detail_id,
            }
        )
    )


def time_screening() -> dict[str, float]:
    output = (
        subprocess.run(
            [sys.executable, __file__, "--child", "screening"],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    figures = json.loads(output)
    print(
        f"  screening page, first request of a process: {figures['first_request_s']:.2f} s "
        f"(HTTP {figures['status']}; Django setup {figures['setup_s']:.2f} s)",
        flush=True,
    )
    return figures


def time_tick() -> dict[str, float]:
    liuyan = Path(sys.executable).with_name("liuyan")
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(liuyan), "tick"],
            check=True,
            capture_output=True,
            timeout=1800,
            env=dict(os.environ),
        )
        runs.append(time.perf_counter() - started)
    print(f"  tick: first run {runs[0]:.1f} s, second run {runs[1]:.1f} s", flush=True)
    return {"first_s": runs[0], "second_s": runs[1]}


def print_ratios(new: dict, old: dict) -> None:
    print("\nold / new (higher: the new code is faster)")
    for label in QUERIES:
        if label in old["search"] and label in new["search"]:
            o, n = old["search"][label]["p95_ms"], new["search"][label]["p95_ms"]
            print(f"  search {label:28} p95 {o:8.1f} -> {n:7.1f} ms  x{o / n:6.1f}")
    o, n = old["screening"]["first_request_s"], new["screening"]["first_request_s"]
    print(f"  screening, first request          {o:8.2f} -> {n:7.2f} s   x{o / n:6.1f}")
    if "tick" in old and "tick" in new:
        o, n = old["tick"]["second_s"], new["tick"]["second_s"]
        print(f"  tick, steady state                {o:8.1f} -> {n:7.1f} s   x{o / n:6.1f}")


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child == "screening":
        screening_child()
        return
    setup_django()
    import liuyan

    print(f"code: {Path(liuyan.__file__).parent}")
    figures = {"search": time_search(args.repeat), "screening": time_screening()}
    if not args.skip_tick:
        figures["tick"] = time_tick()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.baseline:
        print_ratios(figures, json.loads(args.baseline.read_text()))


if __name__ == "__main__":
    main()
