"""Similar messages on the platform: index build, query latency, refresh, campaigns.

    .venv/bin/python bench/similar_platform.py [--messages 100000] [--queries 300]

Builds a fresh SQLite database in a temporary directory, generates demo messages over the last
11 months (all inside the index window), then times `liuyan.board.similarity`: the cold build,
p50/p95 of "similar public messages on this board" (index query plus the database re-check that
keeps private messages out) and of a moderator's "possible duplicates", the incremental refresh
after new messages, and the campaign scan for the screening queue.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter

PROJECT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<34} p50 {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms"
        f"   max {max(ms):7.1f} ms   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
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

    from liuyan.board import similarity
    from liuyan.board.models import Message
    from liuyan.demo import world
    from liuyan.demo.generate import generate_messages

    try:
        call_command("migrate", verbosity=0)
        world.ensure_reference_data()
        world.ensure_world(seed=args.seed)
        outcome = generate_messages(args.messages, seed=args.seed, months=11)
        print(f"generated {outcome.messages:,} messages in {outcome.seconds:.1f} s")

        started = perf_counter()
        similarity.similar_public_messages(
            board=Message.objects.first().board, title="路灯", limit=5
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"cold build of {len(similarity._state.index):,} messages: "
            f"{perf_counter() - started:.1f} s (process max RSS {rss:,.0f} MB)"
        )

        rng = random.Random(args.seed)
        ids = list(Message.objects.values_list("pk", flat=True))
        probes = list(
            Message.objects.filter(pk__in=rng.sample(ids, args.queries)).select_related("board")
        )
        similar, duplicates = [], []
        visible = Message.objects.all()  # a moderator who covers every region
        found = 0
        for message in probes:
            # A citizen types about the same problem: the title and the start of the body.
            started = perf_counter()
            result = similarity.similar_public_messages(
                board=message.board, title=message.title, body=message.body[:120], limit=5
            )
            similar.append(perf_counter() - started)
            found += bool(result)
            started = perf_counter()
            similarity.possible_duplicates(message, visible=visible, limit=5)
            duplicates.append(perf_counter() - started)
        report("similar public messages (board)", similar)
        report("possible duplicates (moderator)", duplicates)
        print(f"  queries with at least one similar public message: {found}/{len(probes)}")

        template = probes[0]
        fresh = [
            Message(
                serial=f"B{n:013d}",
                author_id=template.author_id,
                board_id=template.board_id,
                region_id=template.region_id,
                type=template.type,
                title=template.title,
                body=template.body,
                public_title=template.public_title,
                public_body=template.public_body,
                state=template.state,
                submitted_at=template.submitted_at,
            )
            for n in range(100)
        ]
        Message.objects.bulk_create(fresh)
        similarity.REFRESH_SECONDS = 0
        started = perf_counter()
        similarity.similar_public_messages(board=template.board, title=template.title)
        print(
            f"refresh after 100 new messages (add, freeze, query): {perf_counter() - started:.2f} s"
        )

        started = perf_counter()
        flags = similarity.campaign_flags(ids[:25])
        print(
            f"campaign scan over the last {similarity.CAMPAIGN_DAYS} days: "
            f"{perf_counter() - started:.2f} s ({len(flags)} of 25 queue rows flagged)"
        )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
