"""Errors as RFC 9457 problem details (application/problem+json), in the caller's language.

Every error the API answers (validation, refused lifecycle steps, authentication, throttling,
unknown URLs, and anything unexpected) is one JSON object with `type`, `title`, `status`,
`detail` and, for a form-like error, `errors` by field.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from liuyan.board.refusals import describe_refusal
from liuyan.core.lifecycle import LifecycleError, PermissionRefused

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"
log = logging.getLogger(__name__)


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_TYPE


def language_from(request: HttpRequest) -> str:
    """The API follows Accept-Language (an API client chose it on purpose, unlike a phone's
    browser): English when English is preferred over Chinese, else Simplified Chinese."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    best, best_q = "zh-hans", -1.0
    for part in header.split(","):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip().lower()
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        language = "en" if tag.startswith("en") else "zh-hans" if tag.startswith("zh") else None
        if language and q > best_q:
            best, best_q = language, q
    return best


def activate_language(request: HttpRequest) -> str:
    language = language_from(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        422: _("Cannot be done"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


_SLUGS = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    415: "unsupported-media-type",
    422: "refused",
    429: "rate-limited",
    500: "server-error",
}


def problem(status_code: int, detail: str, *, errors: dict | None = None, instance: str = ""):
    body: dict = {
        "type": TYPE_BASE + _SLUGS.get(status_code, "error"),
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def _flatten(data) -> dict:
    if isinstance(data, dict):
        return {
            str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in data.items()
        }
    return {}


def exception_handler(exc, context):
    """DRF's handler, with Django's and the lifecycle's errors mapped first, answering
    problem details."""
    request = context.get("request")
    path = request.path if request is not None else ""
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else None
        body = problem(400, describe_refusal(exc), errors=errors, instance=path)
        return _response(body, request=request)
    if isinstance(exc, PermissionRefused):
        return _response(problem(403, describe_refusal(exc), instance=path), request=request)
    if isinstance(exc, LifecycleError):
        return _response(problem(409, describe_refusal(exc), instance=path), request=request)
    if isinstance(exc, (Http404, PermissionDenied)):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("API error at %s", path, exc_info=exc)
        return _response(
            problem(500, _("Something went wrong on our side."), instance=path), request=request
        )
    data = response.data
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(data) if isinstance(data, dict) else {"non_field_errors": data}
        detail = _("Some fields are not valid.")
    else:
        detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
    body = problem(response.status_code, detail, errors=errors, instance=path)
    problem_response = _response(body, response.status_code, request)
    for header, value in response.items():
        if header.lower() in ("retry-after", "www-authenticate", "allow"):
            problem_response[header] = value
    return problem_response


def _response(body: dict, status_code: int | None = None, request=None) -> Response:
    # The browsable API renders problems as its HTML page; every other caller gets JSON, labelled
    # as a problem.
    renderer = getattr(request, "accepted_renderer", None)
    browsable = renderer is not None and getattr(renderer, "format", "") == "api"
    return Response(
        body,
        status=status_code or body["status"],
        content_type=None if browsable else PROBLEM_TYPE,
    )


def json_problem(request: HttpRequest, status_code: int, detail: str) -> JsonResponse:
    activate_language(request)
    return JsonResponse(
        problem(status_code, detail, instance=request.path),
        status=status_code,
        content_type=PROBLEM_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/: a problem, not the site's HTML 404 page."""
    return json_problem(request, status.HTTP_404_NOT_FOUND, _("No such API address."))


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def bad_request(request: HttpRequest, exception=None):
    """Django's 400 (a body it cannot parse, too many fields, a bad host): a problem under
    /api/, the site's page elsewhere."""
    if is_api_path(request.path):
        return json_problem(request, 400, _("The request could not be read."))
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest):
    if is_api_path(request.path):
        return json_problem(request, 500, _("Something went wrong on our side."))
    return defaults.server_error(request)
