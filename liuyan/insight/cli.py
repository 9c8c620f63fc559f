"""Batch command line for the insight engine.

    python -m liuyan.insight.cli hot --input messages.csv --top 10 [--output hot.xlsx]
    python -m liuyan.insight.cli classify --input in.csv --output out.csv [--models var/models]
    python -m liuyan.insight.cli quality --input replies.csv [--output scored.csv]
    python -m liuyan.insight.cli mask --input in.csv --output masked.csv
    python -m liuyan.insight.cli train --data ../shared/data --models var/models

Tables are CSV or XLSX with the shared data's columns. Progress goes to stderr. A missing file
or column exits with status 2 and a message naming it; the platform's ``liuyan insight``
command calls :func:`main`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from liuyan.insight import tables
from liuyan.insight.heat import HEAT_EXPLAINED

_T = TypeVar("_T")

EXIT_USAGE = 2


def _progress(iterable: Iterable[_T], description: str, total: int | None = None) -> tqdm[_T]:
    return tqdm(iterable, desc=description, total=total, file=sys.stderr, unit="msg", leave=False)


def _parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    for pattern in (
        "%Y-%m-%d %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _int(value: str) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _format_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else ""


def command_hot(args: argparse.Namespace) -> int:
    from liuyan.insight.hot import HotMessage, hot_issues

    rows = tables.read_table(args.input, required=(tables.ID, tables.TITLE, tables.TIME))
    messages = [
        HotMessage(
            id=row[tables.ID],
            title=row[tables.TITLE],
            body=row.get(tables.BODY, ""),
            time=_parse_time(row[tables.TIME]),
            author=row.get(tables.AUTHOR) or None,
            likes=_int(row.get(tables.LIKES, "0")),
            dislikes=_int(row.get(tables.DISLIKES, "0")),
        )
        for row in _progress(rows, "reading")
    ]
    since = _parse_time(args.since) if args.since else None
    until = _parse_time(args.until) if args.until else None
    print(f"clustering {len(messages)} messages ...", file=sys.stderr)
    issues = hot_issues(messages, top=args.top, since=since, until=until)
    columns = [
        "排名",
        "热度指数",
        "问题描述",
        "地点/人群",
        "时间范围",
        "留言数",
        "用户数",
        "点赞数",
        "反对数",
        "留言编号",
    ]
    # Mixed values (numbers for the table, text for the console): Any, not object, so the
    # printout below may slice and format them.
    out_rows: list[dict[str, Any]] = [
        {
            "排名": issue.rank,
            "热度指数": issue.heat,
            "问题描述": issue.title,
            "地点/人群": issue.place,
            "时间范围": f"{_format_time(issue.first)} 至 {_format_time(issue.last)}",
            "留言数": len(issue.message_ids),
            "用户数": issue.authors,
            "点赞数": issue.likes,
            "反对数": issue.dislikes,
            "留言编号": " ".join(str(i) for i in issue.message_ids),
        }
        for issue in issues
    ]
    print(f"{'rank':>4} {'heat':>7}  {'messages':>8}  {'span':<23} {'place':<22} title")
    for row in out_rows:
        print(
            f"{row['排名']:>4} {row['热度指数']:>7.2f}  {row['留言数']:>8}  {row['时间范围']:<23} "
            f"{row['地点/人群'][:20]:<22} {row['问题描述'][:50]}"
        )
    if args.output:
        tables.write_table(args.output, out_rows, columns)
        print(f"written {args.output}", file=sys.stderr)
    return 0


def command_classify(args: argparse.Namespace) -> int:
    from liuyan.insight.classify import load_classifier

    model = load_classifier(args.models)
    if model is None:
        print(
            f"error: no classifier in {args.models} (run the train command first)", file=sys.stderr
        )
        return EXIT_USAGE
    # Read as text; the prediction adds a number column before the table is written back.
    rows: list[dict[str, Any]] = tables.read_table(args.input, required=(tables.TITLE, tables.BODY))
    batch = 512
    for begin in _progress(range(0, len(rows), batch), "classifying", total=-(-len(rows) // batch)):
        chunk = rows[begin : begin + batch]
        predictions = model.predict([(r[tables.TITLE], r[tables.BODY]) for r in chunk])
        for row, prediction in zip(chunk, predictions, strict=True):
            row["预测分类"] = prediction.label
            row["置信度"] = round(prediction.confidence, 4)
    columns = [*(rows[0].keys() if rows else [tables.TITLE, tables.BODY])]
    for extra in ("预测分类", "置信度"):
        if extra not in columns:
            columns.append(extra)
    tables.write_table(args.output, rows, columns)
    if rows and tables.DOMAIN in rows[0]:
        correct = sum(r[tables.DOMAIN] == r["预测分类"] for r in rows)
        print(f"agreement with {tables.DOMAIN}: {correct}/{len(rows)}", file=sys.stderr)
    print(f"written {args.output}", file=sys.stderr)
    return 0


def command_mask(args: argparse.Namespace) -> int:
    from liuyan.insight.masking import CITIZEN, STAFF, mask

    rows = tables.read_table(args.input, required=(tables.BODY,))
    # A reply is the unit's text: its hotline stays, the citizen's data in it goes.
    authors = {tables.TITLE: CITIZEN, tables.BODY: CITIZEN, tables.REPLY: STAFF}
    counts: dict[str, int] = {}
    columns_to_mask = (
        [c for c in (tables.TITLE, tables.BODY, tables.REPLY) if c in rows[0]] if rows else []
    )
    for row in _progress(rows, "masking"):
        for column in columns_to_mask:
            result = mask(row[column], author=authors[column])
            row[column] = result.text
            for hit in result.hits:
                counts[hit.kind] = counts.get(hit.kind, 0) + 1
    tables.write_table(args.output, rows, list(rows[0].keys()) if rows else [tables.BODY])
    summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "nothing"
    print(f"masked: {summary}; written {args.output}", file=sys.stderr)
    return 0


def command_quality(args: argparse.Namespace) -> int:
    from liuyan.insight.quality import assess_reply

    # Read as text; the scores are added as numbers before the table is written back.
    rows: list[dict[str, Any]] = tables.read_table(
        args.input, required=(tables.TITLE, tables.BODY, tables.REPLY)
    )
    for row in _progress(rows, "scoring"):
        result = assess_reply(row[tables.TITLE], row[tables.BODY], row[tables.REPLY])
        row["质量得分"] = result.score
        row["相关性"] = result.relevance
        row["完整性"] = result.completeness
        row["礼貌"] = result.courtesy
        row["问题标记"] = " ".join(result.flags)
    scores = sorted(r["质量得分"] for r in rows)
    if scores:
        quartiles = [scores[int(q * (len(scores) - 1))] for q in (0, 0.25, 0.5, 0.75, 1)]
        print("score min/q1/median/q3/max: " + " / ".join(f"{q:.2f}" for q in quartiles))
        flagged = sum(1 for r in rows if r["问题标记"])
        print(f"replies with flags: {flagged}/{len(rows)}")
    if args.output:
        tables.write_table(args.output, rows, list(rows[0].keys()) if rows else [])
        print(f"written {args.output}", file=sys.stderr)
    return 0


def command_train(args: argparse.Namespace) -> int:
    from liuyan.insight import train

    data = Path(args.data)
    records = train.read_labeled_table(data / "messages_labeled.csv")
    segmented_path = data / "messages_labeled_segmented.csv"
    segmented = train.read_segmented_table(segmented_path) if segmented_path.exists() else []
    with tqdm(total=5, desc="training", file=sys.stderr, leave=False) as bar:

        def step(message: str) -> None:
            bar.set_postfix_str(message)
            bar.update(1)

        path = train.train_and_save(
            records, args.models, segmented, source=str(data), progress=step
        )
    print(f"written {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liuyan insight", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    hot = commands.add_parser(
        "hot",
        help="rank hot issues",
        description="Group messages into hot issues (one problem at one place) and rank them "
        "by heat.",
        epilog=HEAT_EXPLAINED,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hot.add_argument("--input", required=True)
    hot.add_argument("--top", type=int, default=10)
    hot.add_argument("--output")
    hot.add_argument("--since", help="YYYY-MM-DD")
    hot.add_argument("--until", help="YYYY-MM-DD (exclusive)")
    hot.set_defaults(handler=command_hot)

    classify = commands.add_parser("classify", help="add 预测分类 and 置信度 columns")
    classify.add_argument("--input", required=True)
    classify.add_argument("--output", required=True)
    classify.add_argument("--models", default="var/models")
    classify.set_defaults(handler=command_classify)

    quality = commands.add_parser("quality", help="score replies (答复意见)")
    quality.add_argument("--input", required=True)
    quality.add_argument("--output")
    quality.set_defaults(handler=command_quality)

    masking = commands.add_parser("mask", help="mask personal data in 留言主题/留言详情/答复意见")
    masking.add_argument("--input", required=True)
    masking.add_argument("--output", required=True)
    masking.set_defaults(handler=command_mask)

    training = commands.add_parser("train", help="train the domain classifier")
    training.add_argument("--data", required=True, help="folder with messages_labeled*.csv")
    training.add_argument("--models", default="var/models")
    training.set_defaults(handler=command_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except tables.TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
