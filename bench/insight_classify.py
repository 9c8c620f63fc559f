"""Domain classification: our model against a character n-gram baseline on a fixed split.

Split: messages_labeled.csv, stratified, seed 20201, 20% held out. messages_labeled_segmented.csv
only ever goes into training, and its rows that are near-copies of a held-out message are
removed first (the segmented file holds most raw messages a second time; see
liuyan.insight.train.near_copies). Both models train on exactly the same rows.

Prints, for ours, the 5-fold cross-validation score on the training part (what features and
hyper-parameters were chosen by: liuyan.insight.train.cross_validate), then macro-F1 and
accuracy of both models on the test part, our throughput on one batch in one process, and the
load time of a saved artefact, alone and in a fresh process with its imports.

With --splits N it then scores both models, unchanged, on N more stratified 80/20 splits (seeds
1..N), to show how much one split of 357 messages decides the figure. Nothing is chosen by
these scores: they are printed after every choice is made.

    .venv/bin/python bench/insight_classify.py [--splits 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight import classify, train  # noqa: E402

DATA = REPO / ".." / "shared" / "data"
SEED = 20201
TEST_SHARE = 0.2


def load():
    records = train.read_labeled_table(DATA / "messages_labeled.csv")
    segmented = train.read_segmented_table(DATA / "messages_labeled_segmented.csv")
    return records, segmented


def split(records, seed: int = SEED):
    labels = [r.label for r in records]
    return train_test_split(
        np.arange(len(records)), test_size=TEST_SHARE, stratify=labels, random_state=seed
    )


def baseline(train_docs, train_labels, test_docs):
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    svm = LinearSVC().fit(vectorizer.fit_transform([d.chars for d in train_docs]), train_labels)
    return svm.predict(vectorizer.transform([d.chars for d in test_docs]))


def report(name, truth, predicted):
    f1 = f1_score(truth, predicted, average="macro")
    accuracy = accuracy_score(truth, predicted)
    print(f"{name:<38} macro-F1 {f1:.4f}   accuracy {accuracy:.4f}")


def measure_load(model, labels_dir: Path) -> None:
    path = classify.save_classifier(model, labels_dir, {"kind": "bench"})
    started = time.perf_counter()
    classify.read_classifier(path)
    alone = time.perf_counter() - started
    code = (
        "import time, sys; t = time.perf_counter();"
        "from liuyan.insight.classify import load_classifier;"
        f"m = load_classifier({str(labels_dir)!r}); t1 = time.perf_counter();"
        "m.predict(['小区物业管理混乱']); t2 = time.perf_counter();"
        "print(f'{t1 - t:.3f} {t2 - t1:.3f}')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    size = path.stat().st_size / 1e6
    print(
        f"artefact {size:.1f} MB; load of the artefact alone {alone:.3f} s; cold load in a fresh "
        f"process (imports included) {out[0]} s; first prediction {out[1]} s"
    )


def score_on_split(records, docs, seg_docs, seg_labels, seed: int) -> tuple[float, float]:
    """Macro-F1 of (baseline, ours) trained and tested on one more split, copies removed."""
    train_idx, test_idx = split(records, seed)
    labels = [r.label for r in records]
    test_docs = [docs[i] for i in test_idx]
    test_labels = [labels[i] for i in test_idx]
    kept = np.flatnonzero(~train.near_copies(seg_docs, test_docs))
    train_docs = [docs[i] for i in train_idx] + [seg_docs[i] for i in kept]
    train_labels = [labels[i] for i in train_idx] + [seg_labels[i] for i in kept]
    base = f1_score(test_labels, baseline(train_docs, train_labels, test_docs), average="macro")
    model = train.fit_linear(train_docs, train_labels)
    ours = [p.label for p in model.predict_documents(test_docs, top_k=1)]
    return float(base), float(f1_score(test_labels, ours, average="macro"))


def report_more_splits(records, docs, seg_docs, seg_labels, count: int) -> None:
    print(f"\nthe same two models on {count} more stratified 80/20 splits (seeds 1..{count}):")
    pairs = []
    for seed in range(1, count + 1):
        started = time.perf_counter()
        pairs.append(score_on_split(records, docs, seg_docs, seg_labels, seed))
        base, ours = pairs[-1]
        print(
            f"  seed {seed:>2}: baseline {base:.4f}   ours {ours:.4f}   "
            f"({time.perf_counter() - started:.0f} s)"
        )
    for name, values in (("baseline", [b for b, _ in pairs]), ("ours", [o for _, o in pairs])):
        print(
            f"  {name:<8} mean {statistics.mean(values):.4f}   "
            f"min {min(values):.4f}   max {max(values):.4f}   "
            f"sd {statistics.stdev(values) if len(values) > 1 else 0.0:.4f}"
        )
    wins = sum(o > b for b, o in pairs)
    print(f"  ours above the baseline on {wins} of {count} splits")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--splits", type=int, default=0, help="also score both models on N more random splits"
    )
    args = parser.parse_args()
    records, segmented = load()
    train_idx, test_idx = split(records)
    docs = [classify.document_from_message(r.title, r.body) for r in records]
    labels = [r.label for r in records]
    seg_docs = [classify.document_from_segmented(text) for text, _ in segmented]
    seg_labels = [label for _, label in segmented]
    test_docs = [docs[i] for i in test_idx]
    test_labels = [labels[i] for i in test_idx]

    started = time.perf_counter()
    leaked = train.near_copies(seg_docs, test_docs)
    kept = np.flatnonzero(~leaked)
    print(
        f"raw messages {len(records)} (train {len(train_idx)}, test {len(test_idx)}); "
        f"segmented {len(segmented)}, {int(leaked.sum())} dropped as copies of test messages "
        f"({time.perf_counter() - started:.1f} s)"
    )
    train_docs = [docs[i] for i in train_idx] + [seg_docs[i] for i in kept]
    train_labels = [labels[i] for i in train_idx] + [seg_labels[i] for i in kept]

    started = time.perf_counter()
    scores = train.cross_validate(
        [docs[i] for i in train_idx],
        [labels[i] for i in train_idx],
        [seg_docs[i] for i in kept],
        [seg_labels[i] for i in kept],
    )
    print(
        f"ours, 5-fold CV on the training part: macro-F1 {scores['macro_f1']:.4f}   "
        f"accuracy {scores['accuracy']:.4f}   (folds {scores['fold_macro_f1']}; "
        f"{time.perf_counter() - started:.0f} s)"
    )

    started = time.perf_counter()
    base_pred = baseline(train_docs, train_labels, test_docs)
    print(f"baseline trained in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    model = train.fit_linear(train_docs, train_labels)
    print(f"ours trained in {time.perf_counter() - started:.1f} s")
    ours = [p.label for p in model.predict_documents(test_docs, top_k=1)]
    report("baseline: char 1-3 TF-IDF + LinearSVC", test_labels, base_pred)
    report("ours: word 1-2 (x1.5) + char 1-3 + head", test_labels, ours)
    print(classification_report(test_labels, ours, digits=3))

    batch = [(records[i].title, records[i].body) for i in range(len(records))] * 3
    started = time.perf_counter()
    model.predict(batch)
    elapsed = time.perf_counter() - started
    print(
        f"throughput: {len(batch)} messages in {elapsed:.2f} s = {len(batch) / elapsed:.0f} msg/s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        measure_load(model, Path(tmp))
    if args.splits:
        report_more_splits(records, docs, seg_docs, seg_labels, args.splits)


if __name__ == "__main__":
    main()
