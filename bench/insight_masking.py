"""Precision and recall of personal-data detection, per kind.

1. Span-exact scores on the hand-labelled cases in tests/insight/masking_cases.py.
2. Recall and precision per kind on a generated corpus (tests/insight/masking_corpus.py, seeded
   RNG): at least 200 strings of each kind, check digits random, in citizen sentences masked as
   citizen text and in reply sentences masked as staff text, plus as many look-alikes of each
   category that must stay (dates, amounts, case and document numbers, serials, order numbers,
   statute numbers, service numbers, and in staff text unit hotlines, official e-mail and office
   addresses). Goal (issue #11): recall 100%, precision >= 98% for every kind.
3. A scan of the real messages of the shared data set (numbers anonymised by the publisher),
   showing what we would mask there, so a human can eyeball false positives.

    .venv/bin/python bench/insight_masking.py [--per-kind 200] [--seed 11]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight.masking import KINDS, find_personal_data  # noqa: E402

# The shared data set sits next to the checkout (/work/main -> /work/shared), or one level up
# for a helper's clone (/work/h/<name>); LIUYAN_SHARED_DATA overrides both.
SHARED_DATA = next(
    (
        path
        for path in (
            Path(os.environ.get("LIUYAN_SHARED_DATA", "/nonexistent")),
            REPO.parent / "shared" / "data",
            REPO.parents[1] / "shared" / "data",
        )
        if path.is_dir()
    ),
    REPO.parent / "shared" / "data",
)


def _load_test_module(name: str):
    path = REPO / "tests" / "insight" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cases():
    return _load_test_module("masking_cases").labelled_cases()


RECALL_GOAL, PRECISION_GOAL = 1.0, 0.98


def print_corpus_scores(per_kind: int, seed: int) -> bool:
    """The generated corpus, both authors; True when every kind meets the goal."""
    generated = _load_test_module("masking_corpus")
    met = True
    for author in ("citizen", "staff"):
        items = generated.corpus(author, per_kind=per_kind, seed=seed)
        started = time.perf_counter()
        result = generated.score(items, author)
        elapsed = time.perf_counter() - started
        positives = sum(1 for _, gold, _ in items if gold)
        print(
            f"\ngenerated corpus, {author} text: {len(items)} strings "
            f"({positives} with personal data, {len(items) - positives} look-alikes), "
            f"{len(items) / elapsed:.0f} strings/s"
        )
        print(f"{'kind':<16} {'gold':>5} {'hits':>5} {'recall':>8} {'precision':>10}")
        for kind in KINDS:
            recall, precision = generated.recall_precision(result, kind)
            met &= recall >= RECALL_GOAL and precision >= PRECISION_GOAL
            gold, hits = result["gold_total"][kind], result["hits_total"][kind]
            print(f"{kind:<16} {gold:>5} {hits:>5} {recall:>8.3f} {precision:>10.3f}")
        categories = generated.STAFF_LOOKALIKES if author == "staff" else generated.LOOKALIKES
        touched = ", ".join(f"{c} {result['touched'][c]}" for c in categories)
        print(f"look-alikes wrongly masked ({per_kind} each): {touched}")
        for kind, text in result["misses"][:5]:
            print(f"  missed {kind}: {text}")
        for kind, value, text in result["false_hits"][:5]:
            print(f"  false {kind} {value!r} in: {text}")
    print(f"\ngoal recall {RECALL_GOAL:.0%}, precision >= {PRECISION_GOAL:.0%}: ", end="")
    print("met" if met else "NOT met")
    return met


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
    print(f"{'kind':<16} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for kind in (*KINDS, "all"):
        if kind == "all":
            tp, fp, fn = (sum(c.values()) for c in (true_pos, false_pos, false_neg))
        else:
            tp, fp, fn = true_pos[kind], false_pos[kind], false_neg[kind]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{kind:<16} {tp:>4} {fp:>4} {fn:>4} {precision:>10.3f} {recall:>8.3f}")


# Who wrote each column: a reply is masked as staff text, as on the public page.
REAL_COLUMNS = (("留言主题", "citizen"), ("留言详情", "citizen"), ("答复意见", "staff"))


def scan_real_messages():
    files = ["messages_hot.csv", "messages_replies.csv", "messages_labeled.csv"]
    if not SHARED_DATA.is_dir():
        print(f"\n(shared data not found at {SHARED_DATA}: real-message scan skipped)")
        return
    found: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], list[str]] = {}
    address_units: Counter[str] = Counter()
    texts = 0
    started = time.perf_counter()
    for name in files:
        with open(SHARED_DATA / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column, author in REAL_COLUMNS:
                    text = row.get(column) or ""
                    texts += 1
                    for hit in find_personal_data(text, author=author):
                        found[author, hit.kind] += 1
                        context = text[max(0, hit.start - 12) : hit.end + 6].replace("\n", " ")
                        samples.setdefault((author, hit.kind), []).append(context)
                        if hit.kind == "address":
                            address_units["with 室" if "室" in hit.text else "without 室"] += 1
    elapsed = time.perf_counter() - started
    print(f"\nreal messages: {texts} texts scanned in {elapsed:.2f}s ({texts / elapsed:.0f}/s)")
    for author in ("citizen", "staff"):
        print(f" {author} text:")
        for kind in KINDS:
            print(f"  {kind:<16} {found[author, kind]:>4} hits", end="")
            shown = samples.get((author, kind), [])[:4]
            print("   e.g. " + " | ".join(shown) if shown else "")
    print(f" address hits: {dict(address_units)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print_scores(load_cases())
    met = print_corpus_scores(args.per_kind, args.seed)
    scan_real_messages()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
