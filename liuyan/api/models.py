"""What the API keeps: keys (hashed), idempotency records, rate windows and Open311 details.

A key is shown once, when it is made, and stored only as its SHA-256 digest: keys are 32 random
bytes, so a fast digest is enough (a slow password hash protects guessable secrets, not random
ones) and a request costs one indexed look-up by the key's public prefix.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message


class Scope(models.TextChoices):
    """What a key may do. Reading public data needs no key at all."""

    READ = "read", _("read what the key's user may see (private messages of their own work)")
    SUBMIT = "submit", _("file messages (REST and Open311)")
    HANDLE = "handle", _("unit workflow: accept, return, transfer, reply, extension")
    MODERATE = "moderate", _("moderation: screen, dispatch")


class ApiKey(models.Model):
    """A per-application key (no user) or a per-user key (acts as that user).

    Scopes narrow what the key may do; what its user may do on a message is still decided by
    `liuyan.board.access` and the lifecycle services, as on the pages.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("user"),
        help_text=_("Empty for an application key; set, the key acts as this user."),
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The first result of a filing sent with an `Idempotency-Key`: a retry gets it back."""

    # "key:<ApiKey id>" or "user:<User id>": whose key space the Idempotency-Key lives in.
    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class RateWindow(models.Model):
    """Requests of one caller (a key or an address) in one fixed window: shared by every
    server process, which the per-process default cache is not."""

    bucket = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "started_at"], name="api_rate_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.bucket} {self.started_at:%H:%M} {self.count}"


class Open311Request(models.Model):
    """What an Open311 GeoReport v2 client sent beyond the message itself."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="open311")
    service_code = models.CharField(max_length=40)
    token = models.CharField(max_length=40, unique=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return self.token
