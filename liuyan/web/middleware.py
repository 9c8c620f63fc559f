"""Requests carrying a NUL character are refused with 400 before any view runs.

No form field, id or query of the site has a use for U+0000, and PostgreSQL cannot store it in
text or JSON ("unsupported Unicode escape sequence"), so one %00 in a search box, a `next`
parameter or the audit filters would otherwise end in a 500 wherever the text reaches a query
or the audit trail. Django's CharField already refuses it in forms; this covers the raw
parameters and the URL path (a serial or token in the URL) as well.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBadRequest, QueryDict
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(query_dict: QueryDict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists()
    )


class RejectNullCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if NUL in request.path or _has_nul(request.GET) or _posted_nul(request):
            return HttpResponseBadRequest(_("The request contains a NUL character."))
        return self.get_response(request)


def _posted_nul(request: HttpRequest) -> bool:
    if request.method != "POST":
        return False
    # Form data only: file contents (request.FILES) may hold any byte.
    return _has_nul(request.POST)
