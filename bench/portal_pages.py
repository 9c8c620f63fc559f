"""Server time of the citizen portal's main pages on the demo database.

    LIUYAN_DEBUG=1 .venv/bin/liuyan demo-data          # once
    LIUYAN_DEBUG=1 .venv/bin/python bench/portal_pages.py [-n 30]

Requests each page N times through Django's test client (the whole middleware stack, no network)
and prints the first (cold-cache) time, the median and the 95th percentile in milliseconds.
The figures on the home and board pages are cached for five minutes, so the first request shows
what a visitor pays when the cache has just expired.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
os.environ.setdefault("LIUYAN_DEBUG", "1")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from liuyan.board.models import Message  # noqa: E402
from liuyan.board.selectors import public_messages  # noqa: E402
from liuyan.directory.models import Board, Region  # noqa: E402


def pick_examples() -> dict:
    board_id = (
        public_messages()
        .values("board_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("board_id", flat=True)
        .first()
    )
    if board_id is None:
        sys.exit("No public messages: run `liuyan demo-data` first.")
    board = Board.objects.get(pk=board_id)
    replied = public_messages().filter(board=board, replied_at__isnull=False).first()
    author_id = (
        Message.objects.filter(author__isnull=False)
        .values("author_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("author_id", flat=True)
        .first()
    )
    region = board.region
    word = replied.public_title[:2] if replied else "小区"
    return {
        "board": board,
        "message": replied,
        "author_id": author_id,
        "region": region,
        "word": word,
    }


def board_page_two(client: Client, board: Board) -> str:
    response = client.get(f"/boards/{board.pk}/")
    cursor = response.context["page"].next_cursor if response.context else None
    return f"/boards/{board.pk}/?after={cursor}" if cursor else f"/boards/{board.pk}/"


def pages(examples: dict, client: Client) -> list[tuple[str, str, bool]]:
    board, message, region = examples["board"], examples["message"], examples["region"]
    province = Region.objects.filter(level=1).first()
    return [
        ("home", "/", False),
        ("boards: province", f"/boards/?region={province.pk}", False),
        ("boards: region", f"/boards/?region={region.pk}", False),
        ("boards: search", "/boards/?q=" + board.name[:2], False),
        ("board", f"/boards/{board.pk}/", False),
        ("board: filtered", f"/boards/{board.pk}/?status=answered&period=year", False),
        ("board: page 2", board_page_two(client, board), False),
        ("board feed", f"/boards/{board.pk}/feed.atom", False),
        ("message", f"/messages/{message.serial}/", False),
        ("search", "/search/?q=" + examples["word"], False),
        ("my messages", "/my/messages/", True),
        ("write form", f"/write/?board={board.pk}", True),
    ]


def measure(client: Client, url: str, n: int) -> tuple[float, list[float]]:
    cache.clear()
    timings = []
    for _ in range(n + 1):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return timings[0], timings[1:]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="requests per page (default 30)")
    args = parser.parse_args()
    examples = pick_examples()
    anonymous = Client(HTTP_HOST="localhost")
    citizen = Client(HTTP_HOST="localhost")
    from liuyan.accounts.models import User

    citizen.force_login(User.objects.get(pk=examples["author_id"]))
    anonymous.get("/")  # load templates, URL conf and the segmenter once, outside the timings
    print(f"{Message.objects.count()} messages; board {examples['board'].name}; n={args.n}")
    print(f"{'page':<20} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}")
    for name, url, signed_in in pages(examples, anonymous):
        first, timings = measure(citizen if signed_in else anonymous, url, args.n)
        print(f"{name:<20} {first:>9.1f} {statistics.median(timings):>10.1f} {p95(timings):>8.1f}")


if __name__ == "__main__":
    main()
