"""Middleware for bench/scale.py only (bench/scale_site.py): counts the SQL statements a request
sends on the default connection (sessions, authentication, the view, its template's lazy
queries, everything after this middleware) with Django's `execute_wrapper`, and the time Django
spent on the request, and adds both as response headers. Not part of the product."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

QUERIES_HEADER = "X-Bench-Queries"
TIME_HEADER = "X-Bench-Django-Ms"


class CountQueries:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        response[TIME_HEADER] = f"{(time.perf_counter() - started) * 1000:.1f}"
        return response
