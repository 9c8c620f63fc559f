"""Hot issues over messages_hot.csv: time per stage, place coverage, and the top issues with
their member titles, for reading whether each issue is one problem at one place.

    .venv/bin/python bench/insight_hot.py [TOP] [MEMBERS_SHOWN]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight import tables  # noqa: E402
from liuyan.insight.cli import _int, _parse_time  # noqa: E402
from liuyan.insight.hot import HotMessage, hot_issues  # noqa: E402
from liuyan.insight.places import most_specific, places_in  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "messages_hot.csv"


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    shown = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    started = time.perf_counter()
    rows = tables.read_table(DATA, required=(tables.ID, tables.TITLE, tables.TIME))
    messages = [
        HotMessage(
            row[tables.ID],
            row[tables.TITLE],
            row.get(tables.BODY, ""),
            _parse_time(row[tables.TIME]),
            row.get(tables.AUTHOR) or None,
            _int(row.get(tables.LIKES, "0")),
        )
        for row in rows
    ]
    read = time.perf_counter()
    kinds = Counter(
        (place.kind if (place := most_specific(places_in(m.title))) else "none") for m in messages
    )
    located = time.perf_counter()
    issues = hot_issues(messages, top=top)
    clustered = time.perf_counter()
    print(
        f"{len(messages)} messages: read {read - started:.1f} s, places {located - read:.1f} s, "
        f"hot issues {clustered - located:.1f} s"
    )
    print("title place kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    titles = {m.id: m.title for m in messages}
    for issue in issues:
        span = f"{issue.first:%Y-%m-%d}..{issue.last:%Y-%m-%d}" if issue.first else ""
        print(
            f"\n#{issue.rank} heat {issue.heat:.2f} | {issue.place} | {span} | "
            f"{len(issue.message_ids)} messages, {issue.authors} authors, {issue.likes} likes"
        )
        print(f"   {issue.title}")
        for message_id in issue.message_ids[:shown]:
            print(f"     - {titles[message_id]}")


if __name__ == "__main__":
    main()
