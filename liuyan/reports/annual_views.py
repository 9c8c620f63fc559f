"""Pages of the annual report 数说YYYY年网上群众工作: the public page and its PDF (public
figures: counts only, and cases chosen from public messages), and the moderators' page that
chooses the notable solved cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from liuyan.board.access import staff_scope
from liuyan.board.refusals import describe_refusal
from liuyan.core.clock import SHANGHAI
from liuyan.directory.models import Region

from . import annual_render, annual_services
from .annual import annual_figures
from .annual_models import AnnualCase

FIRST_YEAR = 2000
# The year's figures change little once the year is over: a page is built at most this often.
CACHE_SECONDS = 600


def _region(request: HttpRequest) -> Region | None:
    code = request.GET.get("region", "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code[:6]).first()
    if region is None:
        raise Http404
    return region


def _year(year: int) -> int:
    this_year = timezone.now().astimezone(SHANGHAI).year
    if not FIRST_YEAR <= year <= this_year:
        raise Http404
    return year


def _figures(year: int, region: Region | None):
    key = f"reports:annual:{year}:{region.pk if region else 0}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = annual_figures(year=year, region=region)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


@require_GET
def annual_latest(request: HttpRequest) -> HttpResponse:
    """The last finished year."""
    last = timezone.now().astimezone(SHANGHAI).year - 1
    return redirect("reports:annual", last)


@require_GET
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    year, region = _year(year), _region(request)
    figures = _figures(year, region)
    this_year = timezone.now().astimezone(SHANGHAI).year
    context = {
        **annual_render.report_context(figures),
        "years": list(range(this_year, max(FIRST_YEAR, this_year - 5) - 1, -1)),
        "may_choose": request.user.is_authenticated
        and annual_services.may_choose_cases(request.user, region),
    }
    return render(request, "reports/annual/page.html", context)


@require_GET
def annual_pdf(request: HttpRequest, year: int) -> HttpResponse:
    year, region = _year(year), _region(request)
    pdf = annual_render.annual_pdf(_figures(year, region))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"annual-{year}-{region.code if region else 'all'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def annual_cases(request: HttpRequest, year: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "accounts:staff_login")
    year, region = _year(year), _region(request)
    if not annual_services.may_choose_cases(request.user, region):
        raise PermissionDenied
    if request.method == "POST":
        try:
            if drop := request.POST.get("drop", "").strip():
                if not drop.isdigit() or not AnnualCase.objects.filter(pk=int(drop)).exists():
                    raise Http404
                annual_services.drop_case(case_id=int(drop), actor=request.user)
            else:
                annual_services.choose_case(
                    year=year,
                    region=region,
                    serial=request.POST.get("serial", "")[:20],
                    summary=request.POST.get("summary", ""),
                    actor=request.user,
                    now=timezone.now(),
                )
        except ValidationError as error:
            messages.error(request, describe_refusal(error))
        cache.delete_many([f"reports:annual:{year}:{region.pk if region else 0}:{get_language()}"])
        return redirect(request.get_full_path())
    cases = AnnualCase.objects.filter(year=year, region=region).select_related("message")
    context = {
        "year": year,
        "region": region,
        "cases": cases,
        "scope": staff_scope(request.user),
        "desk": None,
    }
    response = render(request, "reports/annual/cases.html", context)
    add_never_cache_headers(response)
    return response
