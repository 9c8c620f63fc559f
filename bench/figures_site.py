"""Settings and URLs for bench/figures.py: liuyan's own, plus a minimal view that answers
"ok" without touching the database, the baseline each page is measured against on the same
server. Not part of the product."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from liuyan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.figures_site"


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), path("", include("liuyan.urls"))]
