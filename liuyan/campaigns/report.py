"""The campaign report (征集活动报告), when a campaign closes: counts, themes, adoption by unit
and the adopted suggestions, with charts. The same machinery as the annual report: inline SVG
charts from reports.annual_charts, a PDF from the same HTML by reports.pdf (WeasyPrint)."""

from __future__ import annotations

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from liuyan.reports import annual_charts as charts
from liuyan.reports.pdf import render_pdf

from . import selectors
from .models import Campaign, Decision

TOP_THEMES = 10


def report_context(campaign: Campaign) -> dict:
    figures = selectors.figures(campaign)
    themes = list(selectors.themes_with_counts(campaign)[:TOP_THEMES])
    by_unit = selectors.adoption_by_unit(campaign)
    outcomes = dict(
        Decision.objects.filter(suggestion__campaign=campaign, decided_at__isnull=False)
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    outcome_rows = [
        (str(label), outcomes.get(value, 0)) for value, label in Decision.Outcome.choices
    ]
    return {
        "campaign": campaign,
        "figures": figures,
        "themes": themes,
        "by_unit": by_unit,
        "adopted": list(selectors.adopted_suggestions(campaign)),
        "charts": {
            "themes": charts.bar_chart(
                [(t.name, getattr(t, "size", 0)) for t in themes], label=_("Suggestions by theme")
            ),
            "outcomes": charts.share_bar(outcome_rows, label=_("Decisions")),
            "units": charts.bar_chart(
                [(row["unit__name"], row["adopted"]) for row in by_unit[:TOP_THEMES]],
                label=_("Adopted suggestions by unit"),
                colour=charts.COLOURS[1],
            ),
        },
    }


def report_html(campaign: Campaign) -> str:
    return render_to_string("campaigns/report/standalone.html", report_context(campaign))


def report_pdf(campaign: Campaign) -> bytes:
    return render_pdf("campaigns/report/standalone.html", report_context(campaign))
