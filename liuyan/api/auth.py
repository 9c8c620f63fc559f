"""Who is calling: a key in `Authorization: Bearer …`, or a signed-in session (the browsable
API); and whether the key's scopes allow the endpoint."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from .keys import key_for
from .models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer ly_…`. A per-user key acts as its user; an application key acts
    as nobody in particular (the public, plus its scopes)."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer KEY"))
        key = key_for(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        return (key.user or AnonymousUser(), key)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "liuyan API key (ly_…)"}


def calling_key(request) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


def has_scope(request, scope: str) -> bool:
    """A key needs the scope; a signed-in session (the browsable API) acts with its user's own
    rights, which access.py and the services check in any case."""
    key = calling_key(request)
    if key is not None:
        return key.has_scope(scope)
    return bool(request.user and request.user.is_authenticated)


class ScopeRequired(permissions.BasePermission):
    """The view's `required_scope` (for unsafe methods; reads are public unless it says
    `read_scope`)."""

    def has_permission(self, request, view) -> bool:
        scope = (
            getattr(view, "read_scope", None)
            if request.method in permissions.SAFE_METHODS
            else getattr(view, "required_scope", None)
        )
        if scope is None:
            return True
        if not has_scope(request, scope):
            if calling_key(request) is None and not request.user.is_authenticated:
                raise exceptions.NotAuthenticated(_("This needs an API key."))
            self.message = _("This key lacks the scope “%(scope)s”.") % {"scope": scope}
            return False
        return True
