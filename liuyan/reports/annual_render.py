"""The annual report as HTML and as PDF: the figures of `annual`, the charts of
`annual_charts`, one template (`reports/annual/report.html`) for the page and the PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from . import annual_charts as charts
from .annual import AnnualFigures
from .pdf import render_pdf

MONTHS = [f"{m}月" for m in range(1, 13)]


def report_context(figures: AnnualFigures) -> dict:
    return {
        "f": figures,
        "charts": {
            "months": charts.column_chart(
                MONTHS,
                [("留言", figures.messages_by_month), ("答复", figures.replies_by_month)],
                label="各月留言与答复数量",
            ),
            "message_levels": charts.share_bar(
                [(r.name, r.count) for r in figures.message_level_shares],
                label="留言对象的层级分布",
            ),
            "reply_levels": charts.share_bar(
                [(r.name, r.count) for r in figures.reply_level_shares],
                label="答复单位的层级分布",
            ),
            "regions": charts.bar_chart(
                [(r.name, r.count) for r in figures.top_regions_by_messages],
                label="留言数量居前的地区",
            ),
            "regions_replies": charts.bar_chart(
                [(r.name, r.count) for r in figures.top_regions_by_replies],
                label="答复数量居前的地区",
                colour=charts.COLOURS[2],
            ),
            "domains": charts.bar_chart(
                [(r.name, r.count) for r in figures.top_domains],
                label="留言领域分布",
                colour=charts.COLOURS[1],
            ),
        },
    }


def annual_html(figures: AnnualFigures) -> str:
    """A standalone HTML document (for `liuyan report annual --output x.html`)."""
    return render_to_string("reports/annual/standalone.html", report_context(figures))


def annual_pdf(figures: AnnualFigures) -> bytes:
    return render_pdf("reports/annual/standalone.html", report_context(figures))
