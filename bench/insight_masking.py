"""Precision and recall of personal-data detection, per kind.

Scores span-exact matches on the labelled cases in tests/insight/masking_cases.py, then scans
the real messages of the shared data set (whose numbers were anonymised by the publisher) and
shows what we would mask there, so a human can eyeball false positives.

    .venv/bin/python bench/insight_masking.py
"""

from __future__ import annotations

import csv
import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight.masking import KINDS, find_personal_data  # noqa: E402

SHARED_DATA = REPO / ".." / "shared" / "data"


def load_cases():
    path = REPO / "tests" / "insight" / "masking_cases.py"
    spec = importlib.util.spec_from_file_location("masking_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.labelled_cases()


def score(cases):
    true_pos, false_pos, false_neg = Counter(), Counter(), Counter()
    for text, expected in cases:
        found = {(h.kind, h.start, h.end) for h in find_personal_data(text)}
        wanted = set(expected)
        for kind, _, _ in found & wanted:
            true_pos[kind] += 1
        for kind, _, _ in found - wanted:
            false_pos[kind] += 1
        for kind, _, _ in wanted - found:
            false_neg[kind] += 1
    return true_pos, false_pos, false_neg


def print_scores(cases):
    true_pos, false_pos, false_neg = score(cases)
    non_hit_cases = sum(1 for _, spans in cases if not spans)
    print(f"labelled cases: {len(cases)} ({non_hit_cases} without any personal data)")
    print(f"{'kind':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for kind in (*KINDS, "all"):
        if kind == "all":
            tp, fp, fn = (sum(c.values()) for c in (true_pos, false_pos, false_neg))
        else:
            tp, fp, fn = true_pos[kind], false_pos[kind], false_neg[kind]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{kind:<10} {tp:>4} {fp:>4} {fn:>4} {precision:>10.3f} {recall:>8.3f}")


def scan_real_messages():
    files = ["messages_hot.csv", "messages_replies.csv", "messages_labeled.csv"]
    if not SHARED_DATA.is_dir():
        print(f"\n(shared data not found at {SHARED_DATA}: real-message scan skipped)")
        return
    found: Counter[str] = Counter()
    samples: dict[str, list[str]] = {}
    texts = 0
    started = time.perf_counter()
    for name in files:
        with open(SHARED_DATA / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("留言主题", "留言详情", "答复意见"):
                    text = row.get(column) or ""
                    texts += 1
                    for hit in find_personal_data(text):
                        found[hit.kind] += 1
                        context = text[max(0, hit.start - 12) : hit.end + 6].replace("\n", " ")
                        samples.setdefault(hit.kind, []).append(context)
    elapsed = time.perf_counter() - started
    print(f"\nreal messages: {texts} texts scanned in {elapsed:.2f}s ({texts / elapsed:.0f}/s)")
    for kind in KINDS:
        print(f"  {kind:<10} {found[kind]:>4} hits", end="")
        shown = samples.get(kind, [])[:4]
        print("   e.g. " + " | ".join(shown) if shown else "")


if __name__ == "__main__":
    print_scores(load_cases())
    scan_real_messages()
