"""Reply quality over messages_replies.csv: score distribution, flag counts, 20 examples.

.venv/bin/python bench/insight_quality.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight import tables  # noqa: E402
from liuyan.insight.quality import assess_reply  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "messages_replies.csv"


def main() -> None:
    rows = tables.read_table(DATA, required=(tables.TITLE, tables.BODY, tables.REPLY))
    started = time.perf_counter()
    results = [assess_reply(r[tables.TITLE], r[tables.BODY], r[tables.REPLY]) for r in rows]
    elapsed = time.perf_counter() - started
    print(f"{len(rows)} replies scored in {elapsed:.1f} s")
    for name in ("score", "relevance", "completeness", "courtesy"):
        values = sorted(getattr(r, name) for r in results)
        cuts = [values[int(q * (len(values) - 1))] for q in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)]
        print(f"{name:<13} min/p10/q1/median/q3/p90/max: " + " ".join(f"{c:.2f}" for c in cuts))
    histogram = Counter(min(9, int(r.score * 10)) for r in results)
    for bucket in range(10):
        bar = "#" * (histogram[bucket] // 10)
        print(f"  {bucket / 10:.1f}-{(bucket + 1) / 10:.1f} {bar} {histogram[bucket]}")
    flags = Counter(flag for r in results for flag in r.flags)
    elements = Counter(e for r in results for e in r.elements)
    print("flags:", dict(flags))
    print("elements present:", dict(elements))
    order = sorted(range(len(rows)), key=lambda i: results[i].score)
    picks = [order[int(k * (len(order) - 1) / 19)] for k in range(20)]
    print("\n20 examples from lowest to highest score:")
    for i in picks:
        r, row = results[i], rows[i]
        reply = row[tables.REPLY].replace("\n", " ")
        print(
            f"{r.score:.2f} rel={r.relevance:.2f} comp={r.completeness:.2f} "
            f"flags={','.join(r.flags) or '-'} | {row[tables.TITLE][:30]} || {reply[:90]}"
        )


if __name__ == "__main__":
    main()
