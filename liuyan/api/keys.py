"""API keys: made, checked and revoked here; stored only as a digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiKey, Scope

KEY_PREFIX = "ly_"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def clean_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(
            _("Unknown scope: %(scopes)s. Known: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)}
        )
    return [scope for scope in Scope.values if scope in scopes]


@transaction.atomic
def create_key(
    *, name: str, scopes: list[str], user=None, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown this once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the key a name."))
    scopes = clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        user=user,
        prefix=prefix,
        digest=_digest(secret),
        scopes=scopes,
        created_at=now or timezone.now(),
    )
    return key, secret


def revoke_key(key: ApiKey, *, now: datetime | None = None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def key_for(secret: str, *, now: datetime | None = None) -> ApiKey | None:
    """The active key `secret` belongs to, or None (unknown, malformed or revoked)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    prefix, _sep, rest = secret[len(KEY_PREFIX) :].partition("_")
    if not rest or len(prefix) != 8:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.digest, _digest(secret)):
        return None
    if key.revoked_at is not None or (key.user is not None and not key.user.is_active):
        return None
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
