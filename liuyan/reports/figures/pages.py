"""What the figure pages show, built from the roll-ups: the period chosen, the headline
figures, a chart series and breakdown tables, each figure with the link to its messages.

Views call `build_page` (or `rankings_table`) and render; `export` turns any table into CSV or
XLSX. Nothing here reads the messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote_plus, urlencode

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liuyan.board.models import Message
from liuyan.core.clock import SHANGHAI
from liuyan.directory.models import Board, Domain, Region, Unit

from . import selectors
from .measures import (
    ALL,
    BOARD,
    CHANNEL,
    DAILY_KINDS,
    DAY,
    DOMAIN,
    LEVEL,
    MONTH,
    REGION,
    REGION_DOMAIN,
    TYPE,
    UNIT,
    WEEK,
    YEAR,
    period_end,
    period_start,
)
from .selectors import Totals

PERIOD_CHOICES = [
    (YEAR, pgettext_lazy("period", "year")),
    (MONTH, pgettext_lazy("period", "month")),
    (WEEK, pgettext_lazy("period", "week")),
    (DAY, pgettext_lazy("period", "day")),
]
# The chart's bars: the months of a year, the days of a month or week.
SERIES_PERIOD = {YEAR: MONTH, MONTH: DAY, WEEK: DAY}
LEVEL_LABELS = dict(Region.Level.choices)


class PeriodForm(forms.Form):
    """The period picker: a kind of period and a day inside it (default: this year)."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    on = forms.DateField(
        label=_("Containing the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_on(self) -> date | None:
        day = self.cleaned_data.get("on")
        if day is not None and not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Choose a day between 2000 and 2100."))
        return day


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # the first day after it

    @property
    def label(self) -> str:
        if self.kind == ALL_TIME:
            return str(_("since the first message"))
        if self.kind == YEAR:
            return f"{self.start:%Y}"
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == WEEK:
            return f"{self.start:%Y-%m-%d} – {self.end:%m-%d}"
        return f"{self.start:%Y-%m-%d}"

    def query(self) -> dict[str, str]:
        return {"period": self.kind, "on": self.start.isoformat()}


# The messages behind an all-time figure (a board's figures since its first message): a
# period of the list of messages only, bounded by the days the period picker accepts.
ALL_TIME = "all"


def all_time() -> Period:
    return Period(ALL_TIME, date(2000, 1, 1), date(2101, 1, 1))


def this_year() -> Period:
    start = period_start(YEAR, today())
    return Period(YEAR, start, period_end(YEAR, start))


def today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def fit(period: Period, kind: str) -> Period:
    """Fine slices (a unit, a board, a region …) keep months and years only: a week or a day
    of theirs is read as its month."""
    if kind in DAILY_KINDS or period.kind in (MONTH, YEAR):
        return period
    start = period_start(MONTH, period.start)
    return Period(MONTH, start, period_end(MONTH, start))


def period_from(form: PeriodForm) -> Period:
    """The form's period; call after `form.is_valid()` returned True."""
    kind = form.cleaned_data.get("period") or YEAR
    start = period_start(kind, form.cleaned_data.get("on") or today())
    return Period(kind, start, period_end(kind, start))


# --- slices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    kind: str = ALL
    key: str = ""

    @property
    def param(self) -> str:
        return f"{self.kind}:{self.key}" if self.kind != ALL else ""


PARSEABLE = (ALL, LEVEL, REGION, BOARD, UNIT, DOMAIN, TYPE, CHANNEL, REGION_DOMAIN)


def parse_slice(value: str | None) -> Slice | None:
    """`kind:key` from the URL, checked against the directory; None when it names nothing."""
    if not value:
        return Slice()
    kind, _sep, key = value.partition(":")
    if kind not in PARSEABLE or len(key) > 24:
        return None
    ids = key.split(":") if kind == REGION_DOMAIN else [key]
    if kind in (REGION, BOARD, UNIT, DOMAIN, REGION_DOMAIN) and not all(
        part.isdigit() and len(part) < 10 for part in ids
    ):
        return None
    exists = {
        LEVEL: lambda: key in ("1", "2", "3"),
        REGION: lambda: Region.objects.filter(pk=int(key)).exists(),
        BOARD: lambda: Board.objects.filter(pk=int(key)).exists(),
        UNIT: lambda: Unit.objects.filter(pk=int(key)).exists(),
        DOMAIN: lambda: Domain.objects.filter(pk=int(key)).exists(),
        TYPE: lambda: key in Message.Type.values,
        CHANNEL: lambda: key in Message.Channel.values,
        REGION_DOMAIN: lambda: (
            len(ids) == 2
            and Region.objects.filter(pk=int(ids[0])).exists()
            and Domain.objects.filter(pk=int(ids[1])).exists()
        ),
        ALL: lambda: key == "",
    }[kind]
    return Slice(kind, key) if exists() else None


def slice_title(item: Slice) -> str:
    return labels_for(item.kind, [item.key]).get(item.key, "") if item.kind != ALL else ""


def labels_for(kind: str, keys: Iterable[str]) -> dict[str, str]:
    """What each slice is called on the page."""
    keys = list(keys)
    numeric = [int(k) for k in keys if k.isdigit()]
    if kind == LEVEL:
        return {k: str(LEVEL_LABELS.get(int(k), k)) for k in keys}
    if kind == REGION:
        return {str(pk): r.full_name for pk, r in _regions(numeric).items()}
    if kind == BOARD:
        return {str(pk): b.name for pk, b in Board.objects.in_bulk(numeric).items()}
    if kind == UNIT:
        return {str(pk): u.name for pk, u in Unit.objects.in_bulk(numeric).items()}
    if kind == DOMAIN:
        return {str(pk): d.name for pk, d in Domain.objects.in_bulk(numeric).items()}
    if kind == TYPE:
        return {k: str(dict(Message.Type.choices).get(k, k)) for k in keys}
    if kind == CHANNEL:
        return {k: str(dict(Message.Channel.choices).get(k, k)) for k in keys}
    if kind == REGION_DOMAIN:
        pairs = [k.split(":") for k in keys if k.count(":") == 1]
        regions = _regions([int(r) for r, _d in pairs])
        domains = Domain.objects.in_bulk([int(d) for _r, d in pairs])
        return {
            f"{r}:{d}": f"{regions[int(r)].name} · {domains[int(d)].name}"
            for r, d in pairs
            if int(r) in regions and int(d) in domains
        }
    return {}


def _regions(ids: list[int]) -> dict[int, Region]:
    return Region.objects.select_related("parent__parent").in_bulk(ids)


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    attribute: str  # of Totals
    title: Promise | str
    measure: str | None = None  # the messages behind it: a count's, a rate's numerator's
    unit: str = ""  # "%", or "" for counts and days
    of: str | None = None  # a rate's denominator: the messages it is a share of


COLUMNS = (
    Column("received", _("Received"), "received"),
    Column("replied", _("Replied"), "replied"),
    Column("reply_rate", _("Reply rate"), "replied", "%", of="handled"),
    Column("accept_on_time_rate", _("Accepted on time"), "accepted_on_time", "%", of="accepted"),
    Column("reply_on_time_rate", _("Replied on time"), "replied_on_time", "%", of="replied"),
    Column("median_reply_days", _("Median working days to reply"), "replied"),
    Column("satisfaction_rate", _("Satisfaction"), "satisfied", "%", of="rated"),
    Column("follow_ups", _("Follow-ups"), "followed_up"),
    Column("supervisions", _("Supervision orders"), "supervised"),
)

# The headline: every figure the issue lists, in reading order.
HEADLINE = (
    Column("received", _("Received"), "received"),
    Column("accepted", _("Accepted"), "accepted"),
    Column("replied", _("Replied"), "replied"),
    Column("reply_rate", _("Reply rate"), "replied", "%", of="handled"),
    Column("accept_on_time_rate", _("Accepted on time"), "accepted_on_time", "%", of="accepted"),
    Column("reply_on_time_rate", _("Replied on time"), "replied_on_time", "%", of="replied"),
    Column("mean_accept_days", _("Mean working days to accept"), "accepted"),
    Column("median_accept_days", _("Median working days to accept"), "accepted"),
    Column("mean_reply_days", _("Mean working days to reply"), "replied"),
    Column("median_reply_days", _("Median working days to reply"), "replied"),
    Column("response_rate", _("Response rate"), "accepted_on_time", "%", of="dispatched"),
    Column("resolution_rate", _("Resolution rate"), "solved", "%", of="rated"),
    Column("satisfaction_rate", _("Satisfaction rate"), "satisfied", "%", of="rated"),
    Column("follow_ups", _("Follow-ups"), "followed_up"),
    Column("reopen_rate", _("Reopen rate"), "reopened", "%", of="replied"),
    Column("supervisions", _("Supervision orders"), "supervised"),
    Column("listed", _("Listed supervision"), "listed"),
    Column("thrown_out", _("Not accepted or duplicate"), "thrown_out"),
)

# What the list of the messages behind a figure is called, per measure.
MEASURE_TITLES: dict[str, Promise | str] = {
    "received": _("Received"),
    "handled": _("Received, not turned away at screening"),
    "thrown_out": _("Not accepted or duplicate"),
    "dispatched": _("Dispatched to a unit"),
    "accepted": _("Accepted"),
    "accepted_on_time": _("Accepted on time"),
    "replied": _("Replied"),
    "replied_on_time": _("Replied on time"),
    "published": _("Replies published"),
    "rated": _("Rated"),
    "satisfied": _("Satisfied"),
    "solved": _("Solved, in the author's words"),
    "followed_up": _("Follow-ups"),
    "reopened": _("Handled a second time"),
    "supervised": _("Supervision orders"),
    "listed": _("Listed supervision"),
    "fair_dispatched": _("Dispatched (ranked)"),
    "fair_replied": _("Replied (ranked)"),
    "fair_on_time": _("Replied on time (ranked)"),
    "fair_rated": _("Rated (ranked)"),
    "fair_satisfied": _("Satisfied (ranked)"),
}


@dataclass(frozen=True)
class Cell:
    value: object
    unit: str = ""
    link: str = ""
    # A rate's numerator and denominator, each with the messages behind it.
    part: int | None = None
    whole: int | None = None
    whole_link: str = ""


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    link: str = ""  # the slice's own figures (drill-down)


@dataclass(frozen=True)
class Table:
    name: str
    title: Promise | str
    columns: tuple[Column, ...]
    rows: list[Row]
    first_column: Promise | str = ""


Linker = Callable[[Slice, str], str]  # (slice, measure) -> URL of the messages behind it


def cells(totals: Totals, item: Slice, link: Linker, columns=COLUMNS) -> list[Cell]:
    result = []
    for column in columns:
        value = getattr(totals, column.attribute)
        if column.of and column.measure:
            part, whole = getattr(totals, column.measure), getattr(totals, column.of)
            result.append(
                Cell(
                    value,
                    column.unit,
                    link(item, column.measure) if part else "",
                    part=part,
                    whole=whole,
                    whole_link=link(item, column.of) if whole else "",
                )
            )
            continue
        # Linked whenever there are messages behind it: a median of 0 working days (accepted
        # the day it came) is a figure too.
        behind = column.measure and value is not None and getattr(totals, column.measure)
        href = link(item, column.measure) if behind else ""
        result.append(Cell(value, column.unit, href))
    return result


def breakdown_table(
    name: str,
    title: Promise | str,
    kind: str,
    *,
    period: Period,
    public: bool,
    link: Linker,
    drill: Callable[[Slice], str] | None = None,
    keys: Iterable[str] | None = None,
    order_by_received: bool = True,
    limit: int | None = None,
    first_column: Promise | str = "",
) -> Table:
    rows = selectors.breakdown(
        kind, period=period.kind, start=period.start, public=public, keys=keys
    )
    items = [(key, totals) for key, totals in rows.items() if totals]
    if order_by_received:
        items.sort(key=lambda pair: (-pair[1].received, pair[0]))
    else:
        items.sort()
    if limit is not None:
        items = items[:limit]
    names = labels_for(kind, [key for key, _t in items])
    table_rows = []
    for key, totals in items:
        item = Slice(kind, key)
        table_rows.append(
            Row(
                label=names.get(key, key),
                cells=cells(totals, item, link),
                link=drill(item) if drill else "",
            )
        )
    return Table(name, title, COLUMNS, table_rows, first_column)


@dataclass
class Page:
    period: Period
    slice: Slice
    title: str
    public: bool
    totals: Totals
    headline: list[tuple[Column, Cell]]
    chart: dict
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


def build_page(*, item: Slice, period: Period, public: bool, link: Linker, title: str = "") -> Page:
    """The headline and chart of one slice over one period (tables are added by the view)."""
    totals = selectors.totals(
        item.kind, item.key, period=period.kind, start=period.start, public=public
    )
    # The public never sees messages turned away at screening: that figure is staff-only.
    shown = tuple(c for c in HEADLINE if not (public and c.attribute == "thrown_out"))
    headline = list(zip(shown, cells(totals, item, link, shown), strict=True))
    chart: dict = {"labels": [], "received": [], "replied": [], "published": []}
    step, since, until = SERIES_PERIOD.get(period.kind), period.start, period.end
    if item.kind not in DAILY_KINDS:  # months only: the months of the period's year
        step, since = MONTH, period_start(YEAR, period.start)
        until = period_end(YEAR, since)
    if step is not None:
        for start, row in selectors.series(
            item.kind, item.key, period=step, since=since, until=until, public=public
        ):
            chart["labels"].append(f"{start:%m}" if step == MONTH else f"{start:%m-%d}")
            chart["received"].append(row.received)
            chart["replied"].append(row.replied)
            chart["published"].append(row.published)
    return Page(
        period=period,
        slice=item,
        title=title or slice_title(item),
        public=public,
        totals=totals,
        headline=headline,
        chart=chart,
    )


def message_link(url_name: str, period: Period, extra: dict | None = None) -> Linker:
    """The link to the messages behind a figure. A figure table has hundreds of cells: the
    path is reversed and the period encoded once per linker, each cell only appends its
    measure and slice (the same URL, parameter for parameter, as one urlencode would give)."""
    head = reverse(url_name) + "?" + urlencode(period.query()) + "&measure="
    tail = "&" + urlencode(extra) if extra else ""

    def link(item: Slice, measure: str) -> str:
        url = head + quote_plus(measure) + tail
        return url + "&slice=" + quote_plus(item.param) if item.param else url

    return link


# The public figure blocks of the home and board pages: what each figure counts.
PUBLIC_FIGURE_MEASURES = ("received", "replied", "rated", "satisfied")


def public_figure_links(item: Slice, period: Period) -> dict[str, str]:
    """The public messages behind each figure of a slice's figure block, by measure."""
    link = message_link("reports:figures:messages", period)
    return {measure: link(item, measure) for measure in PUBLIC_FIGURE_MEASURES}


def drill_link(url_name: str, period: Period, extra: dict | None = None):
    """A slice's own figures page; reversed once per table, like `message_link`."""
    head = reverse(url_name) + "?" + urlencode({**period.query(), **(extra or {})}) + "&slice="

    def link(item: Slice) -> str:
        return head + quote_plus(item.param)

    return link


# --- export --------------------------------------------------------------------------------


def _plain(cell: Cell) -> object:
    return "" if cell.value is None else cell.value


def export(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
    right) or XLSX (openpyxl, write-only: rows streamed, not held as cell objects)."""
    header = [str(table.first_column or table.title)] + [
        f"{column.title} ({column.unit})" if column.unit else str(column.title)
        for column in table.columns
    ]
    rows = [[row.label] + [_plain(cell) for cell in row.cells] for row in table.rows]
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(_safe(row) for row in rows)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(_safe(row))
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    response = HttpResponse(
        out_bytes.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _safe(row: list) -> list:
    """Labels that a spreadsheet would run as a formula (=, +, -, @) start with a quote."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]
