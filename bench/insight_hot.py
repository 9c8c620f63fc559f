"""Hot issues over messages_hot.csv, measured against our own labels, old and new side by side.

    .venv/bin/python bench/insight_hot.py [--top N] [--members N] [--baseline REV] [--no-cli]
        [--part dev]

``tests/data/hot_labels.csv`` names, for 528 messages of the shared file, the problem each one
is about (every problem with five or more messages, a few smaller ones, and singletons), and
whether the problem is in the ``dev`` part (read while tuning) or the ``holdout`` part (not
read while tuning: the test of the method). For each part and each algorithm this prints:

- B-cubed precision, recall and F1 over the labelled messages of that part: for every message,
  the share of its issue that is its problem (precision) and the share of its problem that is
  in its issue (recall), averaged. Unlabelled messages are left out of both.
- For each labelled problem of 5+ messages, the share of its messages in its largest issue, and
  for those of 10+ that issue's rank by heat and whether it ranks above every issue of fewer
  than five messages (the goal of issue #18).
- The time of the clustering; for the new algorithm also the wall time of the CLI
  (``liuyan insight hot --input ...``), which includes start-up and reading.

The old algorithm is the one at ``--baseline`` (default: the commit before the rewrite), read
from git into a module of its own, so both run in the same process on the same messages.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import resource
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight import tables  # noqa: E402
from liuyan.insight.cli import _int, _parse_time  # noqa: E402
from liuyan.insight.hot import HotIssue, HotMessage, hot_issues  # noqa: E402

DATA = REPO / ".." / "shared" / "data" / "messages_hot.csv"
LABELS = REPO / "tests" / "data" / "hot_labels.csv"
BASELINE = "74c0657"  # main before issue #18: place pass + average linkage + cross-place merge
GOAL_F1 = 0.85
GOAL_SHARE = 0.8
PARTS = ("dev", "holdout")


def read_messages(path: Path = DATA) -> list[HotMessage]:
    rows = tables.read_table(path, required=(tables.ID, tables.TITLE, tables.TIME))
    return [
        HotMessage(
            row[tables.ID],
            row[tables.TITLE],
            row.get(tables.BODY, ""),
            _parse_time(row[tables.TIME]),
            row.get(tables.AUTHOR) or None,
            _int(row.get(tables.LIKES, "0")),
            dislikes=_int(row.get(tables.DISLIKES, "0")),
        )
        for row in rows
    ]


def read_labels(path: Path = LABELS) -> dict[str, tuple[str, str]]:
    """message id -> (problem, split)."""
    with path.open(encoding="utf-8") as handle:
        return {row["留言编号"]: (row["problem"], row["split"]) for row in csv.DictReader(handle)}


def baseline_module(revision: str) -> types.ModuleType:
    """The hot module (and the places module it reads) as they were at ``revision``."""
    modules = {}
    for name in ("places", "hot"):
        source = subprocess.run(
            ["git", "show", f"{revision}:liuyan/insight/{name}.py"],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        source = source.replace("liuyan.insight.places", "_baseline_places")
        spec = importlib.util.spec_from_loader(f"_baseline_{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while executing
        exec(compile(source, f"{revision}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["hot"]


def b_cubed(issue_of: dict[str, int], labels: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of predicted issues against labelled problems, over the
    labelled messages only."""
    by_issue: dict[int, list[str]] = defaultdict(list)
    by_problem: dict[str, list[str]] = defaultdict(list)
    for message, problem in labels.items():
        by_issue[issue_of[message]].append(message)
        by_problem[problem].append(message)
    precision = recall = 0.0
    for message, problem in labels.items():
        issue = by_issue[issue_of[message]]
        both = sum(1 for other in issue if labels[other] == problem)
        precision += both / len(issue)
        recall += both / len(by_problem[problem])
    precision, recall = precision / max(len(labels), 1), recall / max(len(labels), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def evaluate(
    name: str,
    run: Callable[[Sequence[HotMessage]], list[HotIssue]],
    messages: list[HotMessage],
    labels: dict[str, tuple[str, str]],
    parts: Sequence[str] = PARTS,
) -> dict[str, dict[str, float]]:
    started = time.perf_counter()
    issues = run(messages)
    seconds = time.perf_counter() - started
    issue_of: dict[str, int] = {}
    for index, issue in enumerate(issues):
        for message_id in issue.message_ids:
            issue_of[str(message_id)] = index
    # A message in no issue (min_messages) is an issue of its own.
    for message in messages:
        issue_of.setdefault(str(message.id), -1 - len(issue_of))
    small = [i.rank for i in issues if len(i.message_ids) < 5]
    best_small = min(small, default=len(issues) + 1)
    print(f"\n== {name}: {len(issues)} issues of 2+ messages, clustering {seconds:.1f} s")
    results = {}
    for part in parts:
        part_labels = {m: p for m, (p, s) in labels.items() if s == part}
        precision, recall, f1 = b_cubed(issue_of, part_labels)
        problems: dict[str, list[str]] = defaultdict(list)
        for labelled, problem in part_labels.items():
            problems[problem].append(labelled)
        shares, rank_ok = [], []
        lines = []
        for problem, members in sorted(problems.items(), key=lambda p: -len(p[1])):
            if len(members) < 5:
                continue
            counts = Counter(issue_of[m] for m in members)
            largest, count = counts.most_common(1)[0]
            share = count / len(members)
            shares.append(share)
            rank = issues[largest].rank if largest >= 0 else None
            line = f"   {share:5.0%} of {len(members):>3}  {problem}"
            if len(members) >= 10:
                ok = share >= GOAL_SHARE and rank is not None and rank < best_small
                rank_ok.append(ok)
                line += f"   rank {rank}{'' if ok else '  <-- goal missed'}"
            lines.append(line)
        met = sum(rank_ok)
        print(
            f"-- {part}: {len(part_labels)} labelled messages, {len(problems)} problems | "
            f"B-cubed P {precision:.3f} R {recall:.3f} F1 {f1:.3f} | "
            f"mean share in largest issue {sum(shares) / max(len(shares), 1):.0%} | "
            f"10+ problems held and ranked above every issue of <5 (best rank {best_small}): "
            f"{met}/{len(rank_ok)}"
        )
        print("\n".join(lines))
        results[part] = {"f1": f1, "precision": precision, "recall": recall, "met": met}
    return results


def cli_seconds() -> tuple[float, float]:
    """Wall and CPU seconds of the CLI on the shared file (CPU: when the machine is shared,
    wall time measures the neighbours too)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "liuyan"), "insight", "hot", "--input", str(DATA)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="issues to list for reading")
    parser.add_argument("--members", type=int, default=4, help="member titles per listed issue")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old algorithm")
    parser.add_argument("--no-cli", action="store_true", help="skip timing the CLI")
    parser.add_argument(
        "--part",
        choices=PARTS,
        action="append",
        help="print only this part (repeatable; default both). While tuning, `--part dev` keeps "
        "the held-out figures and the top list (which shows the whole file) out of sight",
    )
    args = parser.parse_args()
    parts = tuple(args.part or PARTS)
    messages = read_messages()
    labels = read_labels()
    missing = [m for m in labels if m not in {str(x.id) for x in messages}]
    assert not missing, f"labelled ids not in the data: {missing[:5]}"
    old = baseline_module(args.baseline)
    old_messages = [
        old.HotMessage(m.id, m.title, m.body, m.time, m.author, m.likes) for m in messages
    ]
    everything = 10**6
    before = evaluate(
        f"old ({args.baseline})",
        lambda _: old.hot_issues(old_messages, top=everything),
        messages,
        labels,
        parts,
    )
    after = evaluate("new", lambda ms: hot_issues(ms, top=everything), messages, labels, parts)
    print("\n== side by side (held-out is the test; dev was read while tuning)")
    print(f"{'':>10} {'old F1':>8} {'new F1':>8} {'old 10+ ok':>11} {'new 10+ ok':>11}")
    for part in parts:
        print(
            f"{part:>10} {before[part]['f1']:8.3f} {after[part]['f1']:8.3f} "
            f"{before[part]['met']:11.0f} {after[part]['met']:11.0f}"
        )
    if not args.no_cli:
        wall, cpu = cli_seconds()
        print(
            f"CLI `liuyan insight hot --input messages_hot.csv`: {wall:.1f} s wall, {cpu:.1f} s CPU"
        )
    if args.part:
        return
    titles = {m.id: m.title for m in messages}
    print(f"\n== new: top {args.top}")
    for issue in hot_issues(messages, top=args.top):
        span = f"{issue.first:%Y-%m-%d}..{issue.last:%Y-%m-%d}" if issue.first else ""
        print(
            f"#{issue.rank} heat {issue.heat:.1f} | {issue.place} | {span} | "
            f"{len(issue.message_ids)} msgs, {issue.authors} writers, {issue.likes} likes"
        )
        for message_id in issue.message_ids[: args.members]:
            print(f"     - {titles[message_id]}")


if __name__ == "__main__":
    main()
