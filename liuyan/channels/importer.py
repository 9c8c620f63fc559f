"""Bulk import of an old system's messages and replies from CSV or XLSX.

The columns are those of the provincial message board's public export (留言编号, 留言用户,
留言主题, 留言时间, 留言详情, and optionally 答复意见, 答复时间, 一级分类, 点赞数, 反对数). Each row
is checked on its own; a bad row is reported with its line number and the rest goes on. Rows go
to `board.services.import_history` in batches, each batch one transaction, so an interrupted
import keeps whole batches and a second run picks up where it stopped: a row whose source id is
already imported is skipped (idempotent). The text work of each batch (masking, segmenting for
search) runs in forked worker processes while the batch before is written (`_TextWork`).

A file in the shared data set's segmented form (only 分词文本, the message's words separated by
spaces with stop words left out, and 一级分类) has no id, title or time; it is taken as
follows (`_segmented_row`), so that it imports and a second run adds nothing:

* source id: ``sha1-`` and the SHA-1 of the 分词文本 (the same text twice is one message: the
  second is skipped as already seen, like a repeated id);
* title: the first words, joined as they were written (no space between Chinese words), up to
  30 characters;
* text: the 分词文本 as it stands (the original text is not in the file);
* time: the import's time, or the one given (`default_time`, `liuyan import --time`);
* domain: 一级分类.

CSV is read with the standard library (`utf-8-sig`, so a BOM from Excel is fine); XLSX with
openpyxl in read-only mode, which streams the sheet instead of loading it whole.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import multiprocessing.pool
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import services
from liuyan.board.bulk import insert_rows
from liuyan.board.services import HistoricalMessage
from liuyan.board.textrules import TITLE_MAX
from liuyan.core.clock import SHANGHAI
from liuyan.directory.models import Board, Domain, Unit

from .models import ImportedMessage

ID, USER, TITLE, TIME, BODY = "留言编号", "留言用户", "留言主题", "留言时间", "留言详情"
REPLY, REPLY_TIME, DOMAIN, LIKES, DISLIKES = "答复意见", "答复时间", "一级分类", "点赞数", "反对数"
REQUIRED = (ID, TITLE, TIME, BODY)
SEGMENTED, SEGMENTED_TITLE_MAX = "分词文本", 30
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
BATCH = 1000
# History is taken as it was written: the old system allowed longer texts than our write form's
# BODY_MAX (18 messages of the provincial data set have 3,000-6,000 characters).
IMPORT_BODY_MAX = 20_000
DEFAULT_SOURCE = "import"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unknown format, missing columns)."""


@dataclass
class RowProblem:
    line: int
    source_id: str
    problem: str

    def __str__(self) -> str:
        return _("line %(line)d (id %(id)s): %(problem)s") % {
            "line": self.line,
            "id": self.source_id or "-",
            "problem": self.problem,
        }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    replies: int = 0
    skipped: int = 0  # already imported (same source id), also within the file
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    source_id: str
    user: str
    dislikes: int
    item: HistoricalMessage


def read_rows(
    path: Path, *, default_time: datetime | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row of a CSV or XLSX file; the header is line 1.
    Rows of the segmented form come in the usual columns (see the module's docstring), timed
    at `default_time` (default: now)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise ImportFileError(_("Give a .csv or .xlsx file."))
    names = next(rows)  # the header, checked
    if ID in names:
        yield from rows
        return
    when = (default_time or timezone.now()).astimezone(SHANGHAI).strftime(TIME_FORMATS[0])
    for line, row in rows:
        yield line, _segmented_row(row, when)


def _check_header(header: list[str]) -> list[str]:
    names = [str(name or "").strip() for name in header]
    if SEGMENTED in names and ID not in names:
        return names  # the segmented form: its rows are completed by `_segmented_row`
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(
            _("The file lacks the columns %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return names


def _segmented_row(row: dict[str, str], when: str) -> dict[str, str]:
    """A row of the segmented form in the usual columns (see the module's docstring)."""
    text = " ".join((row.get(SEGMENTED) or "").split())
    title = ""
    for word in text.split(" "):
        glue = " " if title[-1:].isascii() and title[-1:].isalnum() and word[:1].isascii() else ""
        if len(title) + len(glue) + len(word) > SEGMENTED_TITLE_MAX:
            break
        title += glue + word
    if not title:  # one word longer than a title
        title = text[:SEGMENTED_TITLE_MAX]
    return {
        ID: "sha1-" + hashlib.sha1(text.encode()).hexdigest(),  # noqa: S324 (an id, not a secret)
        TITLE: title,
        TIME: when,
        BODY: text,
        DOMAIN: row.get(DOMAIN) or "",
    }


def _csv_rows(path: Path) -> Iterator[Any]:
    """The checked header's names, then (line number, row) per data row."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        names = _check_header(next(reader, []))
        yield names
        for values in reader:
            # The reader's line number is that of the row's last line (a field may hold newlines).
            if any(v.strip() for v in values):
                yield reader.line_num, dict(zip(names, values, strict=False))


def _xlsx_rows(path: Path) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise ImportFileError(_("Not a readable XLSX file: %(error)s") % {"error": error}) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        names = _check_header([_cell_text(v) for v in next(rows, ())])
        yield names
        for line, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield line, {n: _cell_text(v) for n, v in zip(names, values, strict=False)}
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMATS[0])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_time(text: str, column: str) -> datetime:
    """A time of the file (Beijing time) in one of TIME_FORMATS; ValueError when none fits."""
    text = text.strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(
        _("%(column)s is not a time like 2019-04-25 09:32:09: %(value)r")
        % {"column": column, "value": text[:40]}
    )


def _count(text: str, column: str) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(_("%(column)s is not a whole number.") % {"column": column})
    return int(text)


def parse_row(line: int, row: dict[str, str], domains: dict[str, Domain]) -> _Row:
    """One row checked and converted; ValueError says what is wrong with it."""
    source_id = (row.get(ID) or "").strip()
    if not source_id:
        raise ValueError(_("%(column)s is empty.") % {"column": ID})
    if len(source_id) > 64:
        raise ValueError(_("%(column)s is too long.") % {"column": ID})
    title = " ".join((row.get(TITLE) or "").split())
    if not title:
        raise ValueError(_("%(column)s is empty.") % {"column": TITLE})
    if len(title) > TITLE_MAX:
        raise ValueError(
            _("%(column)s has more than %(max)d characters.") % {"column": TITLE, "max": TITLE_MAX}
        )
    body = "\n".join(line.rstrip() for line in (row.get(BODY) or "").strip().splitlines())
    if not body:
        raise ValueError(_("%(column)s is empty.") % {"column": BODY})
    if len(body) > IMPORT_BODY_MAX:
        raise ValueError(
            _("%(column)s has more than %(max)d characters.")
            % {"column": BODY, "max": IMPORT_BODY_MAX}
        )
    if "\x00" in title + body:
        raise ValueError(_("The text holds a NUL character."))
    submitted_at = parse_time(row.get(TIME) or "", TIME)
    reply = (row.get(REPLY) or "").strip()
    replied_at = parse_time(row.get(REPLY_TIME) or "", REPLY_TIME) if reply else None
    if replied_at is not None and replied_at < submitted_at:
        raise ValueError(_("The reply is older than the message."))
    domain_name = (row.get(DOMAIN) or "").strip()
    domain = domains.get(domain_name) if domain_name else None
    if domain_name and domain is None:
        raise ValueError(_("Unknown domain %(name)s.") % {"name": domain_name})
    return _Row(
        line=line,
        source_id=source_id,
        user=(row.get(USER) or "").strip()[:64],
        dislikes=_count(row.get(DISLIKES, ""), DISLIKES),
        item=HistoricalMessage(
            title=title,
            body=body,
            submitted_at=submitted_at,
            domain=domain,
            likes=_count(row.get(LIKES, ""), LIKES),
            reply_body=reply,
            replied_at=replied_at,
        ),
    )


def import_file(
    path: Path,
    *,
    board: Board,
    actor,
    unit: Unit | None = None,
    source: str = DEFAULT_SOURCE,
    batch_size: int = BATCH,
    progress: Callable[[int], object] | None = None,
    now: datetime | None = None,
    workers: int | None = None,
    default_time: datetime | None = None,
) -> ImportReport:
    """Import every good row of `path` to `board`; see the module's docstring.

    The text work of a batch (masking, segmenting for search: most of a row's cost) runs in
    `workers` forked processes (default: one per core, none on a single core) while this
    process writes the batch before; `workers=0` does it here. `default_time` is the time of
    rows from a file without one (the segmented form; default: `now`)."""
    unit = unit or board.default_unit
    if unit is None:
        raise ImportFileError(_("The board has no default unit: name the unit that answered."))
    now = now or timezone.now()
    domains = {d.name: d for d in Domain.objects.filter(level=1)}
    report = ImportReport()
    seen: set[str] = set()
    batch: list[_Row] = []
    texts = _TextWork(_worker_count(workers))

    def write(rows: list[_Row]) -> None:
        _write(rows, board=board, unit=unit, actor=actor, source=source, now=now, report=report)

    try:
        for line, raw in read_rows(path, default_time=default_time or now):
            report.rows += 1
            if progress is not None:
                progress(1)
            try:
                row = parse_row(line, raw, domains)
            except ValueError as error:
                report.problems.append(RowProblem(line, (raw.get(ID) or "").strip(), str(error)))
                continue
            if row.source_id in seen:
                report.skipped += 1
                continue
            seen.add(row.source_id)
            batch.append(row)
            if len(batch) >= batch_size:
                for ready in texts.submit(_fresh(batch, source, report)):
                    write(ready)
                batch = []
        for ready in texts.submit(_fresh(batch, source, report)):
            write(ready)
        for ready in texts.drain():
            write(ready)
    finally:
        texts.close()
    return report


def _worker_count(workers: int | None) -> int:
    if workers is not None:
        return max(0, workers)
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) if (cores or 1) > 1 else 0


def _fresh(batch: list[_Row], source: str, report: ImportReport) -> list[_Row]:
    """The rows of `batch` not imported before (same source id), counting the others skipped."""
    if not batch:
        return []
    done = set(
        ImportedMessage.objects.filter(
            source=source, source_id__in=[row.source_id for row in batch]
        ).values_list("source_id", flat=True)
    )
    fresh = [row for row in batch if row.source_id not in done]
    report.skipped += len(batch) - len(fresh)
    return fresh


def _public_texts(texts: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A worker's job: the public texts of a batch (no database here)."""
    return [services.public_texts(*text) for text in texts]


class _TextWork:
    """Batches whose text work runs in forked workers, handed back in order when done: up to
    `workers` batches ahead of the one being written, so workers and the writer overlap."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: multiprocessing.pool.Pool | None = None
        self.pending: deque[tuple[list[_Row], list[multiprocessing.pool.AsyncResult]]] = deque()

    def submit(self, rows: list[_Row]) -> list[list[_Row]]:
        """Queue `rows`; return the batches whose texts are ready, to be written now."""
        if not rows:
            return []
        if not self.workers:
            return [rows]  # import_history does the text work itself
        if self.pool is None:
            # The segmenter's dictionary loaded once, before the fork, not in every worker.
            services.prepare_public_texts()
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        job = [(row.item.title, row.item.body, row.item.reply_body) for row in rows]
        # Each batch shared among the workers: the first batch of a file is ready in half the
        # time (the writer waits for nothing else), and the batches after it as soon.
        size = -(-len(job) // self.workers)
        parts = [job[first : first + size] for first in range(0, len(job), size)]
        self.pending.append(
            (rows, [self.pool.apply_async(_public_texts, (part,)) for part in parts])
        )
        ready = []
        while len(self.pending) > self.workers:
            ready.append(self._take())
        return ready

    def drain(self) -> list[list[_Row]]:
        return [self._take() for _ in range(len(self.pending))]

    def _take(self) -> list[_Row]:
        rows, parts = self.pending.popleft()
        texts = [text for part in parts for text in part.get()]
        for row, text in zip(rows, texts, strict=True):
            row.item.texts = text
        return rows

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def _write(
    batch: list[_Row], *, board, unit, actor, source: str, now: datetime, report: ImportReport
) -> None:
    fresh = batch  # `_fresh` has left out what was imported before
    try:
        services.import_history(
            board=board,
            unit=unit,
            actor=actor,
            items=[row.item for row in fresh],
            now=now,
            remember=lambda message_ids: insert_rows(
                ImportedMessage,
                [
                    {
                        "source": source,
                        "source_id": row.source_id,
                        "message_id": message_id,
                        "source_user": row.user,
                        "dislikes": row.dislikes,
                        "imported_at": now,
                    }
                    for row, message_id in zip(fresh, message_ids, strict=True)
                ],
                now,
                returning=False,
            ),
        )
    except ValidationError as error:
        raise ImportFileError("; ".join(error.messages)) from None
    report.created += len(fresh)
    report.replies += sum(1 for row in fresh if row.item.replied_at is not None)


def problems_text(problems: Iterable[RowProblem]) -> list[str]:
    return [str(problem) for problem in problems]
