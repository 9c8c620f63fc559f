"""Tables written as a stream of pieces of bytes: CSV, XLSX and JSON Lines.

The exports of messages (liuyan.channels.export) and of suggestions (liuyan.campaigns.export)
hand rows over one at a time from a keyset-ordered read, and these writers pass them on in
pieces, so a million rows need no more memory than one chunk of the read: the pages send the
pieces with a StreamingHttpResponse, the commands write them to a file. XLSX is a zip archive,
which cannot be sent before it is finished; openpyxl's write-only mode writes the rows to a
temporary file as they come, and the file is then sent in pieces.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import reset_queries
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx", "jsonl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
# Rows gathered into one piece of CSV or JSON Lines.
BATCH = 200


M = TypeVar("M", bound=Model)


def chunks_by_id(rows: QuerySet[M], size: int) -> Iterator[list[M]]:
    """The rows in id order, `size` at a time, each chunk one query after the last id seen
    (keyset order: no OFFSET, so the last chunk costs what the first did)."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        last = chunk[-1].pk
        yield chunk
        # With DEBUG on, Django keeps every query's SQL (up to 9,000), so an export's memory
        # would grow with its rows (~11 MiB over a million messages). Forget them per chunk.
        if settings.DEBUG:
            reset_queries()


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def csv_pieces(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield "\ufeff".encode()  # Excel opens UTF-8 CSV correctly only with a BOM
    yield writer.writerow(headers).encode()
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) >= BATCH:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def jsonl_pieces(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    batch: list[str] = []
    for record in records:
        batch.append(json.dumps(record, ensure_ascii=False) + "\n")
        if len(batch) >= BATCH:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def xlsx_pieces(
    sheet_name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    piece: int = 64 * 1024,
) -> Iterator[bytes]:
    """The rows as an XLSX workbook: a sheet of `sheet_name` and, past Excel's rows a sheet,
    more sheets numbered on (`sheet_name` 2, 3, …), each with the headers."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets = 0
    room = 0  # rows the current sheet can still take
    for row in rows:
        if not room:
            sheets += 1
            sheet = workbook.create_sheet(sheet_name if sheets == 1 else f"{sheet_name} {sheets}")
            sheet.append(list(headers))
            room = SHEET_ROWS - 1
        sheet.append([cell(value) for value in row])
        room -= 1
    if not sheets:
        workbook.create_sheet(sheet_name).append(list(headers))
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while data := handle.read(piece):
            yield data


_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
# Excel's limits: rows a sheet (the header's included) and characters a cell. A file over
# either opens only after Excel "repairs" it, dropping the rows or the text beyond.
SHEET_ROWS = 1_048_576
CELL_CHARS = 32_767


def cell(value: Any) -> Any:
    """Text without the control characters XML 1.0 (so XLSX) cannot hold, cut to what a
    cell holds, saying so (CSV and JSON Lines carry the whole text)."""
    if not isinstance(value, str):
        return value
    value = value.translate(_ILLEGAL)
    if len(value) <= CELL_CHARS:
        return value
    mark = _("… [cut: a cell holds %(n)d characters; CSV and JSON Lines hold all]") % {
        "n": CELL_CHARS
    }
    return value[: CELL_CHARS - len(mark)] + mark
