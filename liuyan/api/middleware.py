"""Under /api/, every error answer is a problem (RFC 9457), whoever produced it.

The API's own views answer problems already. This catches what comes from outside them: the
site's NUL-character guard, Django's CSRF refusal, a 400 for a body it cannot parse. Placed
right inside the CSP middleware, so it sees those answers on their way out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .problems import is_api_path, json_problem


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            is_api_path(request.path)
            and response.status_code >= 400
            and "json" not in response.get("Content-Type", "")
        ):
            detail = getattr(response, "content", b"").decode("utf-8", "replace")[:200]
            problem = json_problem(
                request, response.status_code, detail if "<" not in detail else ""
            )
            for header in ("Retry-After", "Allow", "WWW-Authenticate"):
                if header in response:
                    problem[header] = response[header]
            return problem
        return response
