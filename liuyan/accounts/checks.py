"""What must be true of the accounts settings before the site serves."""

from django.conf import settings
from django.core import checks

AUDIT_MINIMUM_DAYS = 183  # six months


@checks.register(checks.Tags.security)
def audit_retention_check(app_configs, **kwargs):
    days = settings.LIUYAN_RETENTION_AUDIT_DAYS
    if days >= AUDIT_MINIMUM_DAYS:
        return []
    return [
        checks.Error(
            f"LIUYAN_RETENTION_AUDIT_DAYS is {days}: the audit trail must be kept at least "
            f"{AUDIT_MINIMUM_DAYS} days (six months).",
            hint=f"Set LIUYAN_RETENTION_AUDIT_DAYS to {AUDIT_MINIMUM_DAYS} or more.",
            id="accounts.E001",
        )
    ]


@checks.register(checks.Tags.security)
def field_key_check(app_configs, **kwargs):
    """Production should not encrypt personal data with SECRET_KEY alone: rotating the secret
    key (a routine step after a leak) would make every phone number unreadable."""
    # No field key at all (a command that needs no secret, see settings): nothing is encrypted,
    # and reading settings.SECRET_KEY would raise.
    if settings.DEBUG or not settings.LIUYAN_FIELD_KEYS:
        return []
    if settings.LIUYAN_FIELD_KEYS != [settings.SECRET_KEY]:
        return []
    return [
        checks.Warning(
            "Personal data is encrypted with a key derived from SECRET_KEY.",
            hint="Set LIUYAN_FIELD_KEY to its own long random value (keep the old one after "
            "it in the list until `liuyan reencrypt-fields` has run).",
            id="accounts.W001",
        )
    ]
