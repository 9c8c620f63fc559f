"""The request type of views that read `request.htmx`, for the type checker.

django-htmx's middleware (in MIDDLEWARE) sets `request.htmx` on every request, but HttpRequest
does not declare it; views that read it take an HtmxRequest instead. Nothing here runs.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails
