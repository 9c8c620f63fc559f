"""Site-wide small views that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page says; send them to the static file
    (hashed name in production, so whitenoise serves it with a long cache lifetime). Resolved per
    request, not at import, so a missing static manifest cannot stop the URLconf loading."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
