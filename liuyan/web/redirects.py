"""Where to send the browser after a form: a path on this site, never somewhere else.

Every app's "go back to where the form was" goes through `safe_next_path`, so one rule holds for
the desk, the accounts pages and the notification buttons.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_path(request: HttpRequest, default: str) -> str:
    """The request's `next` (form field, else query string) if it is a path here, else `default`.

    Only absolute paths are taken: a bare word would be read by `redirect()` as a URL name, and
    a backslash or control character is rejected because browsers read `/\\host` as `//host`.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if not candidate.startswith("/") or "\\" in candidate:
        return default
    if any(ord(char) < 32 or ord(char) == 127 for char in candidate):
        return default
    if not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return candidate
