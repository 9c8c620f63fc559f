"""Figure pages: the public statistics page (also each board's and unit's figures), the staff
dashboard for leaders and moderators, the rankings, and the messages behind any figure.
Views parse the request, ask `pages`/`selectors`, and render or export."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liuyan.board.access import (
    LEADER,
    MODERATOR,
    StaffScope,
    led_boards,
    region_subtree_ids,
    staff_scope,
    visible_messages,
)
from liuyan.board.selectors import public_messages
from liuyan.directory.models import Board, Domain, Region, Unit
from liuyan.web.keyset import MICROS_AND_ID, keyset_page

from .. import rankings as ranking_rules
from . import lists, pages
from .measures import (
    ALL,
    BOARD,
    CHANNEL,
    DOMAIN,
    LEVEL,
    MONTH,
    REGION,
    REGION_DOMAIN,
    TYPE,
    UNIT,
    YEAR,
)
from .pages import Period, PeriodForm, Slice, Table

EXPORTS = ("csv", "xlsx")
LIST_PAGE_SIZE = 20  # the messages behind a figure, a page


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    form = PeriodForm(request.GET)
    return form, pages.period_from(form) if form.is_valid() else None


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _export_or_render(request, page_tables: list[Table], template: str, context: dict):
    fmt = request.GET.get("export", "")
    if fmt:
        table = next((t for t in page_tables if t.name == request.GET.get("table")), None)
        if fmt not in EXPORTS or table is None:
            return _bad(_("Choose a table and a format (csv or xlsx) to export."))
        period = context["period"]
        return pages.export(table, fmt, f"figures-{table.name}-{period.kind}{period.start}")
    query = request.GET.copy()
    for name in ("export", "table", "after"):
        query.pop(name, None)
    context["export_query"] = query.urlencode()
    return render(request, template, context)


def _tables_for(
    item: Slice, period: Period, *, public: bool, link, drill, region: Region | None
) -> list[Table]:
    """The breakdowns that make sense for a slice: the whole platform by level, province,
    domain, type and channel; a region by its sub-regions, domains, boards and units."""
    tables: list[Table] = []
    common = {"period": period, "public": public, "link": link}
    if period.kind not in (MONTH, YEAR):  # days and weeks: the platform-wide slices only
        if item.kind == ALL:
            for name, title, kind, first in (
                ("levels", _("By region level of the board"), LEVEL, _("Region level")),
                ("types", _("By type"), TYPE, _("Type")),
                ("channels", _("By channel"), CHANNEL, _("Channel")),
            ):
                tables.append(
                    pages.breakdown_table(name, title, kind, first_column=first, **common)
                )
        return tables
    if item.kind == ALL:
        tables.append(
            pages.breakdown_table(
                "levels",
                _("By region level of the board"),
                LEVEL,
                order_by_received=False,
                first_column=_("Region level"),
                **common,
            )
        )
        top = [str(pk) for pk in Region.objects.filter(parent=None).values_list("pk", flat=True)]
        tables.append(
            pages.breakdown_table(
                "regions",
                _("By region"),
                REGION,
                keys=top,
                drill=drill,
                first_column=_("Region"),
                **common,
            )
        )
        domains = [str(pk) for pk in Domain.objects.filter(level=1).values_list("pk", flat=True)]
        tables.append(
            pages.breakdown_table(
                "domains",
                _("By domain"),
                DOMAIN,
                keys=domains,
                drill=drill,
                first_column=_("Domain"),
                **common,
            )
        )
        for name, title, kind, first in (
            ("types", _("By type"), TYPE, _("Type")),
            ("channels", _("By channel"), CHANNEL, _("Channel")),
        ):
            tables.append(pages.breakdown_table(name, title, kind, first_column=first, **common))
    elif item.kind == REGION and region is not None:
        children = [str(pk) for pk in region.children.values_list("pk", flat=True)]
        if children:
            tables.append(
                pages.breakdown_table(
                    "regions",
                    _("By sub-region"),
                    REGION,
                    keys=children,
                    drill=drill,
                    first_column=_("Region"),
                    **common,
                )
            )
        top_domains = Domain.objects.filter(level=1).values_list("pk", flat=True)
        tables.append(
            pages.breakdown_table(
                "domains",
                _("By domain"),
                REGION_DOMAIN,
                keys=[f"{region.pk}:{pk}" for pk in top_domains],
                first_column=_("Domain"),
                **common,
            )
        )
        boards = [
            str(pk) for pk in Board.objects.filter(region=region).values_list("pk", flat=True)
        ]
        tables.append(
            pages.breakdown_table(
                "boards",
                _("Boards of this region"),
                BOARD,
                keys=boards,
                drill=drill,
                first_column=_("Board"),
                **common,
            )
        )
        units = [str(pk) for pk in Unit.objects.filter(region=region).values_list("pk", flat=True)]
        tables.append(
            pages.breakdown_table(
                "units",
                _("Units of this region"),
                UNIT,
                keys=units,
                drill=drill,
                limit=50,
                first_column=_("Unit"),
                **common,
            )
        )
    return tables


# --- public statistics ---------------------------------------------------------------------


@require_GET
def public_figures(request: HttpRequest) -> HttpResponse:
    """The public statistics page; with `slice=board:ID` or `unit:ID`, that board's or unit's
    figures page. Counts only messages the public may see."""
    form, period = _period(request)
    item = pages.parse_slice(request.GET.get("slice"))
    if period is None:
        return _bad(_("Choose a period and a day between 2000 and 2100."))
    if item is None:
        return _bad(_("No such region, board, unit, domain, type or channel."))
    period = pages.fit(period, item.kind)
    url = "reports:figures:public"
    link = pages.message_link("reports:figures:messages", period)
    drill = pages.drill_link(url, period)
    page = pages.build_page(item=item, period=period, public=True, link=link)
    region = Region.objects.filter(pk=int(item.key)).first() if item.kind == REGION else None
    page.tables = _tables_for(item, period, public=True, link=link, drill=drill, region=region)
    context = {
        "page": page,
        "period": period,
        "form": form,
        "slice_param": item.param,
        "here": url,
        "region_chain": region.ancestors() if region else [],
        "public": True,
    }
    return _export_or_render(request, page.tables, "reports/figures/page.html", context)


# --- staff dashboard -----------------------------------------------------------------------


def _staff_regions(scope: StaffScope) -> set[int] | None:
    """The regions whose figures the staff member may read (subtrees included); None for
    everywhere (a platform-wide moderator or administrator)."""
    if scope.moderates_everywhere:
        return None
    regions = set(scope.moderated_region_ids) | set(scope.leader_region_ids)
    board_regions = set(led_boards(scope).values_list("region_id", flat=True))
    return regions | (region_subtree_ids(board_regions) if board_regions else set())


def _may_read(scope: StaffScope, allowed: set[int] | None, item: Slice) -> bool:
    if allowed is None:
        return True
    if item.kind == REGION:
        return int(item.key) in allowed
    if item.kind == REGION_DOMAIN:
        return int(item.key.split(":")[0]) in allowed
    if item.kind == BOARD:
        board = Board.objects.filter(pk=int(item.key)).values_list("region_id", flat=True).first()
        return int(item.key) in scope.leader_board_ids or board in allowed
    if item.kind == UNIT:
        unit = Unit.objects.filter(pk=int(item.key)).values_list("region_id", flat=True).first()
        return unit in allowed
    return False  # the whole platform, and its levels, domains, types, channels


def _staff_scope_or_refuse(request: HttpRequest) -> StaffScope:
    scope = staff_scope(request.user)
    if not (scope.has(MODERATOR) or scope.has(LEADER)):
        raise PermissionDenied(_("The dashboard is for moderators and leaders."))
    return scope


def _default_slice(allowed: set[int] | None) -> Slice:
    if allowed is None:
        return Slice()
    tops = Region.objects.filter(pk__in=allowed).exclude(parent_id__in=allowed)
    top = tops.order_by("level", "code").first()
    return Slice(REGION, str(top.pk)) if top is not None else Slice()


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Leaders: their region, with its sub-regions to drill into; moderators: the region they
    cover (or the platform). Every message counts, private ones included."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "accounts:staff_login")
    scope = _staff_scope_or_refuse(request)
    form, period = _period(request)
    if period is None:
        return _bad(_("Choose a period and a day between 2000 and 2100."))
    allowed = _staff_regions(scope)
    item = (
        pages.parse_slice(request.GET.get("slice"))
        if request.GET.get("slice")
        else _default_slice(allowed)
    )
    if item is None:
        return _bad(_("No such region, board, unit, domain, type or channel."))
    if not _may_read(scope, allowed, item):
        raise PermissionDenied(_("These figures are outside the regions you cover."))
    period = pages.fit(period, item.kind)
    url = "reports:figures:dashboard"
    link = pages.message_link("reports:figures:messages", period, {"staff": "1"})
    drill = pages.drill_link(url, period)
    page = pages.build_page(item=item, period=period, public=False, link=link)
    region = Region.objects.filter(pk=int(item.key)).first() if item.kind == REGION else None
    page.tables = _tables_for(item, period, public=False, link=link, drill=drill, region=region)
    chain = region.ancestors() if region else []
    if allowed is not None:
        chain = [r for r in chain if r.pk in allowed]
    context = {
        "page": page,
        "period": period,
        "form": form,
        "slice_param": item.param,
        "here": url,
        "region_chain": chain,
        "public": False,
        "scope": scope,
        "desk": None,
    }
    return _export_or_render(request, page.tables, "reports/figures/dashboard.html", context)


# --- rankings ------------------------------------------------------------------------------


@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    by = request.GET.get("by") or "reply"
    if period is None or by not in ranking_rules.RATES:
        return _bad(_("Choose a period, a day between 2000 and 2100 and what to rank by."))
    ranked, too_few = ranking_rules.rank_units(by=by, period=period.kind, start=period.start)
    link = pages.drill_link("reports:figures:public", period)
    # Every count and rate leads to its public messages (the rankings count public ones only).
    behind = pages.message_link("reports:figures:messages", period)
    numerator, denominator = ranking_rules.RATES[by]

    def cells(row) -> list[pages.Cell]:
        unit = Slice(UNIT, str(row.unit.pk))
        return [
            pages.Cell(row.rank),
            pages.Cell(row.low_percent, "%"),
            pages.Cell(
                row.rate,
                "%",
                behind(unit, numerator) if row.successes else "",
                part=row.successes,
                whole=row.trials,
                whole_link=behind(unit, denominator),
            ),
            pages.Cell(row.high_percent, "%"),
            pages.Cell(row.successes, link=behind(unit, numerator) if row.successes else ""),
            pages.Cell(row.trials, link=behind(unit, denominator)),
            pages.Cell(row.volume, link=behind(unit, "fair_dispatched")),
        ]

    table = Table(
        name=f"rankings-{by}",
        title=_("Rankings"),
        columns=(
            pages.Column("rank", _("Rank")),
            pages.Column("low_percent", _("Lower bound"), unit="%"),
            pages.Column("rate", _("Rate"), unit="%"),
            pages.Column("high_percent", _("Upper bound"), unit="%"),
            pages.Column("successes", _("Counted")),
            pages.Column("trials", _("Out of")),
            pages.Column("volume", _("Messages dispatched")),
        ),
        rows=[
            pages.Row(
                label=row.unit.name, link=link(Slice(UNIT, str(row.unit.pk))), cells=cells(row)
            )
            for row in ranked
        ],
        first_column=_("Unit"),
    )
    context = {
        "table": table,
        "period": period,
        "form": form,
        "by": by,
        "rates": [
            ("reply", _("Reply rate")),
            ("on_time", _("Replied on time")),
            ("satisfaction", _("Satisfaction")),
        ],
        "too_few": too_few,
        "min_volume": ranking_rules.MIN_VOLUME,
        "here": "reports:figures:rankings",
    }
    return _export_or_render(request, [table], "reports/figures/rankings.html", context)


# --- the messages behind a figure ----------------------------------------------------------


@require_GET
def messages(request: HttpRequest) -> HttpResponse:
    """Public figures lead to public messages; a staff figure (`staff=1`) to the messages the
    staff member may read, within the regions they cover."""
    if request.GET.get("period") == pages.ALL_TIME:  # an all-time figure's messages
        period: Period | None = pages.all_time()
    else:
        _form, period = _period(request)
    item = pages.parse_slice(request.GET.get("slice"))
    measure = request.GET.get("measure") or "received"
    if period is None or item is None or measure not in lists.MEASURE_FILTERS:
        return _bad(_("Choose a period, a slice and a figure."))
    staff = request.GET.get("staff") == "1"
    rows = lists.messages_behind(
        kind=item.kind,
        key=item.key,
        measure=measure,
        since=period.start,
        until=period.end,
        public=not staff,
    )
    scope = None
    if staff:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:staff_login")
        scope = _staff_scope_or_refuse(request)
        if not _may_read(scope, _staff_regions(scope), item):
            raise PermissionDenied(_("These figures are outside the regions you cover."))
        rows = visible_messages(request.user, rows)
    else:
        rows = rows.filter(pk__in=public_messages().values("pk"))
    page = keyset_page(
        rows.select_related("board"),
        key="submitted_at",
        descending=True,
        cursor=request.GET.get("after"),
        size=LIST_PAGE_SIZE,
        cursor_format=MICROS_AND_ID,
    )
    if scope is not None and scope.has(MODERATOR):
        detail = "desk:moderate_message"
    elif scope is not None:
        detail = "desk:leader_message"
    else:
        detail = ""
    query = request.GET.copy()
    query.pop("after", None)
    if page.next_cursor:
        query["after"] = page.next_cursor
    context = {
        "page": page,
        "period": period,
        "title": pages.slice_title(item),
        "measure": pages.MEASURE_TITLES.get(measure, measure),
        "detail": detail,
        "next_query": query.urlencode() if page.next_cursor else "",
        "staff": staff,
    }
    return render(request, "reports/figures/messages.html", context)
