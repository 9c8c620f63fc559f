"""People who use liuyan. Citizens sign in by mobile number; staff also by username."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto
from .fields import EncryptedCharField, EncryptedEmailField, PhoneHashField

mainland_mobile = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


class User(AbstractUser):
    # Encrypted at rest; `phone_hash` (unique) is what look-ups and the uniqueness rule use.
    phone = EncryptedCharField(
        _("mobile number"),
        max_length=11,
        null=True,
        blank=True,
        validators=[mainland_mobile],
        help_text=_("Never shown in public."),
    )
    phone_hash = PhoneHashField(source="phone", unique=True)
    nickname = models.CharField(_("nickname"), max_length=30, blank=True)
    real_name = EncryptedCharField(
        _("real name"), max_length=50, blank=True, help_text=_("Optional; never public.")
    )
    email = EncryptedEmailField(_("email address"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        digest = crypto.phone_hash(self.phone)
        if digest and User.objects.filter(phone_hash=digest).exclude(pk=self.pk).exists():
            raise ValidationError({"phone": _("Another account already uses this number.")})

    @property
    def display_name(self) -> str:
        """The name shown in public: the nickname, or a masked number, never the real name."""
        if self.nickname:
            return self.nickname
        if self.phone:
            return f"{self.phone[:3]}****{self.phone[-4:]}"
        return self.username


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS. Only keyed hashes of the number and the code are
    stored: the table holds no phone numbers.

    The rows double as the log that rate limits count (per number, per IP), so they are kept for
    a day after use and then pruned by `liuyan tick`.
    """

    phone_hash = models.CharField(_("mobile number (keyed hash)"), max_length=64)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=["phone_hash", "-created_at"], name="phonecode_phone_created"),
            models.Index(fields=["ip_address", "-created_at"], name="phonecode_ip_created"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class SignInFailure(models.Model):
    """One failed sign-in, counted per account and address pair (lock), per account from unknown
    addresses (lock for strangers) and per address (slowdown) to stop guessing.

    Kept in the database, not in a per-process cache, so that every web process behind the
    proxy sees the same counts.
    """

    class Scope(models.TextChoices):
        CITIZEN = "citizen", _("citizen sign-in")
        STAFF = "staff", _("staff sign-in")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(
        max_length=150, help_text=_("Username, or the keyed hash of a mobile number.")
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["scope", "key", "at"], name="signinfail_key_at"),
            models.Index(fields=["scope", "ip_address", "at"], name="signinfail_ip_at"),
            models.Index(fields=["scope", "key", "ip_address", "at"], name="signinfail_pair_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.at:%Y-%m-%d %H:%M}"


class KnownAddress(models.Model):
    """An address an account signed in from successfully: its owner may still sign in from it
    while strangers elsewhere have the account locked. The account is kept only as a keyed
    hash (a phone number for citizens); rows unused for LIUYAN_RETENTION_SIGN_IN_DAYS go."""

    scope = models.CharField(max_length=8, choices=SignInFailure.Scope.choices)
    key_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = _("known sign-in address")
        verbose_name_plural = _("known sign-in addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key_hash", "ip_address"], name="knownaddress_unique"
            )
        ]
        indexes = [models.Index(fields=["last_seen"], name="knownaddress_last_seen")]

    def __str__(self) -> str:
        return f"{self.scope} {self.ip_address} {self.last_seen:%Y-%m-%d}"


class TOTPDevice(models.Model):
    """A staff member's authenticator app (time-based one-time passwords, RFC 6238)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = EncryptedCharField(max_length=64)  # encrypted at rest
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last accepted code: a code seen once is refused again (replay).
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator device")
        verbose_name_plural = _("authenticator devices")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class AuditEntry(models.Model):
    """What a staff member did, when and from where. Written, never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(
        _("username"), max_length=150, blank=True, help_text=_("Kept if the user is deleted.")
    )
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=80)
    method = models.CharField(_("method"), max_length=8, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"
