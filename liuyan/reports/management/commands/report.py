"""`liuyan report annual --year YYYY [--region CODE] --output FILE.pdf|FILE.html`: the annual
report 数说YYYY年网上群众工作, for the whole platform or one region, as PDF or HTML."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from liuyan.directory.models import Region
from liuyan.reports import annual_render
from liuyan.reports.annual import annual_figures
from liuyan.reports.pdf import PRINT_CSS


class Command(BaseCommand):
    help = "Build a report: `report annual --year YYYY [--region CODE] --output FILE.pdf|.html`."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["annual"], help="which report (annual)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", default="", help="GB/T 2260 code; none: the platform")
        parser.add_argument("--output", required=True, help="FILE.pdf or FILE.html")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.suffix.lower() not in {".pdf", ".html"}:
            raise CommandError("--output must end in .pdf or .html")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("--year must be a year between 2000 and 2100")
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"No region has the code {options['region']!r}.")
        started = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            figures = annual_figures(year=options["year"], region=region)
            if output.suffix.lower() == ".pdf":
                output.write_bytes(annual_render.annual_pdf(figures))
            else:
                context = annual_render.report_context(figures)
                context["print_css"] = PRINT_CSS.read_text(encoding="utf-8")
                from django.template.loader import render_to_string

                output.write_text(
                    render_to_string("reports/annual/standalone.html", context), encoding="utf-8"
                )
        self.stdout.write(
            f"{figures.title}: {figures.received} messages, {figures.replied} answered → "
            f"{output} ({time.monotonic() - started:.1f} s)"
        )
