"""liuyan's URLs plus a minimal view that answers "ok" without touching the database: the
baseline bench/figures.py measures each page against, on the same server."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), path("", include("liuyan.urls"))]
