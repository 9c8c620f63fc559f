"""Reading and writing message tables (CSV or XLSX) in the shared data's column layout."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# Columns of the shared data set (TipDM 2020 challenge C); the platform's exports use them too.
ID = "留言编号"
AUTHOR = "留言用户"
TITLE = "留言主题"
TIME = "留言时间"
BODY = "留言详情"
DOMAIN = "一级分类"
SEGMENTED = "分词文本"
LIKES = "点赞数"
DISLIKES = "反对数"
REPLY = "答复意见"
REPLY_TIME = "答复时间"

_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class TableError(Exception):
    """A table cannot be used: unreadable file, unknown format or missing column."""


class MissingColumnError(TableError):
    def __init__(self, path: Path, missing: Sequence[str], present: Sequence[str]):
        self.missing = list(missing)
        super().__init__(
            f"{path}: missing column(s) {', '.join(self.missing)}; "
            f"columns found: {', '.join(present) or '(none)'}"
        )


def _read_csv(path: Path) -> list[dict[str, str]]:
    # Excel in China saves CSV as GBK/GB18030; everything else we meet is UTF-8.
    last_error: Exception | None = None
    for encoding in _CSV_ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as handle:
                return [dict(row) for row in csv.DictReader(handle)]
        except UnicodeDecodeError as error:
            last_error = error
    raise TableError(f"{path}: not UTF-8 or GB18030 text ({last_error})")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if sheet is None:  # openpyxl's answer for a workbook without sheets
            raise TableError(f"{path}: the workbook has no worksheet")
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(value).strip() for value in next(rows, ())]
        return [
            {name: _cell(value) for name, value in zip(header, row, strict=False) if name}
            for row in rows
            if any(value is not None for value in row)
        ]
    finally:
        workbook.close()


def read_table(path: str | Path, required: Iterable[str] = ()) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts of strings; checks that ``required`` columns exist."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            rows = _read_xlsx(path)
        elif suffix in {".csv", ".txt", ""}:
            rows = _read_csv(path)
        else:
            raise TableError(f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)")
    except TableError:
        raise
    except Exception as error:  # openpyxl and csv raise many kinds for a damaged file
        raise TableError(f"{path}: cannot read ({type(error).__name__}: {error})") from error
    present = list(rows[0].keys()) if rows else _header_only(path, suffix)
    missing = [column for column in required if column not in present]
    if missing:
        raise MissingColumnError(path, missing, present)
    return rows


def _header_only(path: Path, suffix: str) -> list[str]:
    if suffix in {".xlsx", ".xlsm"}:
        return []
    for encoding in _CSV_ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as handle:
                return next(csv.reader(handle), [])
        except UnicodeDecodeError:
            continue
    return []


def write_table(path: str | Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Write rows as CSV (UTF-8 with BOM, so Excel opens it) or XLSX, by file suffix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
