"""How fast `liuyan import` loads the shared message files, beside a plain insert of the same rows.

    LIUYAN_DEBUG=1 .venv/bin/python bench/import_speed.py [--rows 0] [--profile [--sort tottime]]

In a fresh SQLite database (temporary directory): one board and unit, the seven first-level
domains of the labelled file, then

1. the import of `messages_labeled.csv`, `messages_replies.csv` and `messages_hot.csv` as
   `liuyan import` does it (every row checked, masked, segmented for search; messages, replies,
   assignments and timeline events written through the lifecycle rules), rows/s;
2. the same rows once more: must add nothing (idempotent), rows/s;
3. baseline, in a second fresh database of the same run: the same rows as bare `Message` rows
   with one `bulk_create` per 1,000 (no checks, masking, search text, serials, events, replies).

`--rows N` takes only the first N rows of each file; `--profile` prints where the import's time
went (cProfile, top 25 by cumulative time, or by `--sort tottime`: a function's own time).
Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from time import perf_counter

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT.parent / "shared" / "data"
FILES = ["messages_labeled.csv", "messages_replies.csv", "messages_hot.csv"]
DOMAINS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]


def setup_django(tmp: str) -> None:
    os.environ["LIUYAN_VAR_DIR"] = tmp
    os.environ.setdefault("LIUYAN_DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    import django

    django.setup()


def world():
    from liuyan.accounts.models import User
    from liuyan.directory.models import Board, Domain, Membership, Region, Unit

    province = Region.objects.create(code="430000", name="湖南省", level=1)
    city = Region.objects.create(code="430100", name="长沙市", level=2, parent=province)
    unit = Unit.objects.create(name="长沙市住房和城乡建设局", region=city)
    board = Board.objects.create(name="A市市长", kind="leader", region=city, default_unit=unit)
    for name in DOMAINS:
        Domain.objects.get_or_create(name=name, level=1)
    admin = User.objects.create_user(username="bench-admin", password="x")
    Membership.objects.create(user=admin, role="admin")
    return board, admin


def sample_files(tmp: Path, rows: int) -> list[Path]:
    if not rows:
        return [DATA / name for name in FILES]
    paths = []
    for name in FILES:
        with (DATA / name).open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))[: rows + 1]
        path = tmp / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(lines)
        paths.append(path)
    return paths


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its ended children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run_import(paths, board, admin) -> tuple[int, int, float]:
    from liuyan.channels import importer

    rows = created = 0
    start = perf_counter()
    cpu_start = cpu_seconds()
    for path in paths:
        report = importer.import_file(path, board=board, actor=admin)
        rows, created = rows + report.rows, created + report.created
    seconds = perf_counter() - start
    own, workers = (after - before for after, before in zip(cpu_seconds(), cpu_start, strict=True))
    # On a loaded machine the wall time says more about the other jobs than about the import;
    # the CPU time of the writer and of the workers does not depend on them.
    print(
        f"  CPU: writer {own:6.2f} s ({rows / own:6.0f} rows per CPU second), "
        f"text workers {workers:6.2f} s"
    )
    return rows, created, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=0, help="first N rows of each file (0: all)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="profile order (pstats key)")
    parser.add_argument("--baseline-db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"needs the shared data at {DATA}")
    if args.baseline_db:
        return baseline(Path(args.baseline_db), args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="liuyan-bench-import-"))
    setup_django(str(tmp))
    from django.core.management import call_command

    from liuyan.board.models import Event, Message, Reply

    call_command("migrate", verbosity=0)
    board, admin = world()
    paths = sample_files(tmp, args.rows)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    rows, created, seconds = run_import(paths, board, admin)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(25)
    print(
        f"import:        {rows:6d} rows, {created} messages, {Reply.objects.count()} replies, "
        f"{Event.objects.count()} events in {seconds:6.2f} s = {rows / seconds:8.0f} rows/s"
    )
    again_rows, again_created, again = run_import(paths, board, admin)
    print(
        f"second import: {again_rows:6d} rows, {again_created} added in {again:6.2f} s = "
        f"{again_rows / again:8.0f} rows/s"
    )
    assert again_created == 0 and Message.objects.count() == created
    # The baseline in a process of its own (a second database for Django), same run.
    import subprocess

    subprocess.run(
        [sys.executable, __file__, "--rows", str(args.rows), "--baseline-db", str(tmp / "b")],
        check=True,
    )


def baseline(tmp: Path, rows_wanted: int) -> None:
    tmp.mkdir(parents=True, exist_ok=True)
    setup_django(str(tmp))
    from datetime import datetime

    from django.core.management import call_command

    from liuyan.board.models import Message
    from liuyan.channels import importer
    from liuyan.core.clock import SHANGHAI

    call_command("migrate", verbosity=0)
    board, _admin = world()
    start = perf_counter()
    cpu_start = time.process_time()
    count, batch = 0, []
    for path in sample_files(tmp, rows_wanted):
        for _line, row in importer.read_rows(path):
            count += 1
            at = datetime.strptime(row["留言时间"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
            title, body = row["留言主题"][:50], row["留言详情"]
            batch.append(
                Message(
                    serial=f"B{count}",
                    board=board,
                    region=board.region,
                    type="complaint",
                    channel="import",
                    title=title,
                    body=body,
                    public_title=title,
                    public_body=body,
                    submitted_at=at,
                    state="submitted",
                )
            )
            if len(batch) == 1000:
                Message.objects.bulk_create(batch)
                batch = []
    Message.objects.bulk_create(batch)
    seconds = perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(
        f"plain insert:  {count:6d} rows as bare messages in {seconds:6.2f} s = "
        f"{count / seconds:8.0f} rows/s (baseline); CPU {cpu:.2f} s ({count / cpu:.0f} rows per "
        "CPU second)"
    )


if __name__ == "__main__":
    main()
