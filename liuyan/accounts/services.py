"""Writes about people: sign-in codes, sign-in checks, profiles, authenticator devices.

Every refusal raises an exception whose message is written for the person at the keyboard;
views show it as it is.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import cast

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from . import audit, crypto, selectors
from .checks import AUDIT_MINIMUM_DAYS
from .models import AuditEntry, KnownAddress, PhoneCode, SignInFailure, TOTPDevice, User
from .sms import SMSError, send_sms

CODE_LIFETIME = timedelta(minutes=5)
CODE_DIGITS = 6
# Codes, failures: kept long enough for the daily and hourly limits, then pruned.
SECURITY_RECORDS_KEPT = timedelta(days=2)
TOTP_DRIFT_STEPS = 1  # accept the previous and next 30-second code: phone clocks drift


class SignInRefused(Exception):
    """Sign-in did not succeed; the message says why, without telling a guesser too much."""


class RateLimited(SignInRefused):
    """Too many requests; the message says when to try again, `retry_after` in seconds (views
    answer 429 with a Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- SMS codes ----------------------------------------------------------------------------


def _code_hash(phone: str, code: str) -> str:
    # Keyed with SECRET_KEY: a stolen table does not give away codes by trying all million.
    return salted_hmac(
        "liuyan.accounts.PhoneCode", f"{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _check_code_request_allowed(phone: str, ip: str | None, now: datetime) -> None:
    wait = selectors.seconds_until_next_code(phone, now)
    if wait:
        raise RateLimited(
            _("A code was just sent. You can ask for another one in %(seconds)d seconds.")
            % {"seconds": wait},
            retry_after=wait,
        )
    if selectors.codes_today(phone, now) >= selectors.CODES_PER_NUMBER_PER_DAY:
        raise RateLimited(
            _("This number has received too many codes today. Please try again tomorrow."),
            retry_after=selectors.seconds_until_tomorrow(now),
        )
    if selectors.codes_from_ip_last_hour(ip, now) >= settings.LIUYAN_CODE_REQUESTS_PER_IP_HOUR:
        raise RateLimited(
            _("Too many codes were requested from your network. Please try again in an hour."),
            retry_after=int(selectors.CODE_IP_WINDOW.total_seconds()),
        )


def request_sign_in_code(*, phone: str, ip: str | None, now: datetime | None = None) -> None:
    """Send a fresh 6-digit code to `phone`, if the limits allow it."""
    at = _now(now)
    with transaction.atomic():
        _check_code_request_allowed(phone, ip, at)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        PhoneCode.objects.create(
            # The form has checked the number: it has digits, so it has a hash (not None).
            phone_hash=cast(str, crypto.phone_hash(phone)),
            code_hash=_code_hash(phone, code),
            ip_address=ip,
            created_at=at,
            expires_at=at + CODE_LIFETIME,
        )
    # Sent after the commit: the row counts against the limits even if the gateway fails,
    # so a failing gateway cannot be used to send unlimited texts.
    text = _("Your sign-in code is %(code)s. It is valid for 5 minutes. Do not share it.") % {
        "code": code
    }
    try:
        send_sms(phone, text)
    except SMSError as error:
        raise SignInRefused(
            _("The code could not be sent just now. Please try again in a minute.")
        ) from error


def _refuse_if_locked(scope: str, key: str, ip: str | None, now: datetime) -> None:
    lock = selectors.sign_in_lock(scope, key, ip, now)
    if lock is None:
        return
    seconds = lock.seconds(now)
    if lock.kind == selectors.LOCK_ADDRESS:
        message = _(
            "Many sign-ins failed from your network. Please wait %(seconds)d seconds and try again."
        ) % {"seconds": seconds}
    else:
        message = _("Too many failed attempts. Please try again in %(minutes)d minutes.") % {
            "minutes": selectors.minutes_until(lock.until, now)
        }
    raise RateLimited(message, retry_after=seconds)


def _citizen_key(phone: str) -> str:
    """Citizens' failures are counted under the keyed hash of the number, never the number."""
    return crypto.phone_hash(phone) or ""


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def record_sign_in_failure(
    *, scope: str, key: str, ip: str | None, now: datetime, shown: str = ""
) -> None:
    """Count one failure; a failure that switches a lock on also writes it to the audit trail
    (naming the account as `shown`, e.g. a masked number, or else by its key)."""
    key = key[:150]
    SignInFailure.objects.create(scope=scope, key=key, ip_address=ip, at=now)
    for kind in selectors.locks_reached_by_failure(scope, key, ip, now):
        until = selectors.lock_until(kind, scope, key, ip, now) or now
        audit.record_sign_in_lock(
            scope=scope, shown=shown or key, ip=ip, kind=kind, at=now, until=until
        )


def _forget_failures(scope: str, key: str, ip: str | None) -> None:
    """A success proves the person at this address knows the secret: their own earlier typos
    no longer count. Failures from other addresses stay: they may be a stranger's guesses."""
    failures = SignInFailure.objects.filter(scope=scope, key=key)
    if ip:
        failures.filter(ip_address=ip).delete()
    else:
        failures.filter(ip_address__isnull=True).delete()


def _remember_address(scope: str, key: str, ip: str | None, now: datetime) -> None:
    """After a full sign-in: this address is known for this account from now on."""
    if not ip:
        return
    KnownAddress.objects.update_or_create(
        scope=scope,
        key_hash=selectors.known_address_hash(key),
        ip_address=ip,
        defaults={"last_seen": now},
        create_defaults={"first_seen": now, "last_seen": now},
    )


def _signed_in(scope: str, key: str, ip: str | None, now: datetime) -> None:
    _forget_failures(scope, key, ip)
    _remember_address(scope, key, ip, now)


def _refuse_staff_accounts(user: User | None) -> None:
    # No staff role may skip the second factor by using a citizen's code or password.
    if user is not None and selectors.needs_second_factor(user):
        raise SignInRefused(_("This account signs in on the staff sign-in page."))


def _claim_code(phone: str, code: str, now: datetime) -> bool:
    """Use the newest valid code for `phone` if `code` matches it; each code works once."""
    latest = (
        PhoneCode.objects.filter(
            phone_hash=crypto.phone_hash(phone), used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if latest is None or not constant_time_compare(latest.code_hash, _code_hash(phone, code)):
        if latest is not None:
            PhoneCode.objects.filter(pk=latest.pk).update(
                failed_attempts=latest.failed_attempts + 1
            )
        return False
    # The conditional update makes two simultaneous uses of one code let only one through.
    return PhoneCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now) == 1


def _citizen_for(phone: str) -> User:
    user = selectors.user_by_phone(phone)
    if user is not None:
        return user
    user = User(username=f"p-{secrets.token_hex(6)}", phone=phone)
    user.set_unusable_password()
    user.save()
    return user


def sign_in_with_code(
    *, phone: str, code: str, ip: str | None, now: datetime | None = None
) -> User:
    """The citizen proves they hold `phone`; their account is created on the first sign-in."""
    at = _now(now)
    scope, key = SignInFailure.Scope.CITIZEN, _citizen_key(phone)
    _refuse_if_locked(scope, key, ip, at)
    with transaction.atomic():
        claimed = _claim_code(phone, code, at)
        if not claimed:
            record_sign_in_failure(scope=scope, key=key, ip=ip, now=at, shown=_masked(phone))
        else:
            user = _citizen_for(phone)
    if not claimed:
        raise SignInRefused(_("The code is wrong or has expired. Ask for a new one."))
    _refuse_staff_accounts(user)  # only now: a guesser must not learn whose number it is
    if not user.is_active:
        raise SignInRefused(_("This account is disabled."))
    _signed_in(scope, key, ip, at)
    return user


def sign_in_with_password(
    *, phone: str, password: str, ip: str | None, now: datetime | None = None
) -> User:
    at = _now(now)
    scope, key = SignInFailure.Scope.CITIZEN, _citizen_key(phone)
    _refuse_if_locked(scope, key, ip, at)
    user = selectors.user_by_phone(phone)
    if user is None:
        make_password(password)  # same work as a real check, so timing does not reveal numbers
    if user is None or not user.check_password(password) or not user.is_active:
        record_sign_in_failure(scope=scope, key=key, ip=ip, now=at, shown=_masked(phone))
        raise SignInRefused(_("The mobile number or password is wrong."))
    _refuse_staff_accounts(user)  # only after the password: a guesser learns nothing
    _signed_in(scope, key, ip, at)
    return user


def check_staff_password(
    *, request, username: str, password: str, ip: str | None, now: datetime | None = None
) -> User:
    """The first staff step: username and password of someone who holds a staff role."""
    at = _now(now)
    scope = SignInFailure.Scope.STAFF
    _refuse_if_locked(scope, username, ip, at)
    user = authenticate(request, username=username, password=password)
    if user is None or not selectors.is_staff_user(user):
        record_sign_in_failure(scope=scope, key=username, ip=ip, now=at)
        raise SignInRefused(_("The username or password is wrong, or this is not a staff account."))
    return user


def finish_staff_sign_in(
    *, username: str, ip: str | None = None, now: datetime | None = None
) -> None:
    """Both factors passed: forget this address's failures and remember the address."""
    _signed_in(SignInFailure.Scope.STAFF, username, ip, _now(now))


def prune_security_records(*, now: datetime | None = None) -> int:
    """For `liuyan tick`: delete sign-in codes and failures older than any limit looks back,
    and known addresses unused for LIUYAN_RETENTION_SIGN_IN_DAYS."""
    at = _now(now)
    cutoff = at - SECURITY_RECORDS_KEPT
    codes, _ = PhoneCode.objects.filter(created_at__lt=cutoff).delete()
    failures, _ = SignInFailure.objects.filter(at__lt=cutoff).delete()
    unused = at - timedelta(days=settings.LIUYAN_RETENTION_SIGN_IN_DAYS)
    addresses, _ = KnownAddress.objects.filter(last_seen__lt=unused).delete()
    return codes + failures + addresses


def audit_retention_days() -> int:
    """The configured retention of the audit trail, never below six months (the system check
    accounts.E001 refuses a smaller setting; this is the second line)."""
    return max(settings.LIUYAN_RETENTION_AUDIT_DAYS, AUDIT_MINIMUM_DAYS)


def prune_audit_trail(*, now: datetime | None = None) -> int:
    """Delete audit entries older than the retention; for `liuyan tick`."""
    cutoff = _now(now) - timedelta(days=audit_retention_days())
    deleted, _ = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- profile ------------------------------------------------------------------------------


def update_profile(*, user: User, nickname: str, real_name: str, email: str) -> User:
    user.nickname = nickname.strip()
    user.real_name = real_name.strip()
    user.email = email.strip()
    user.save(update_fields=["nickname", "real_name", "email"])
    return user


def set_password(*, user: User, password: str) -> User:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- authenticator (TOTP) -----------------------------------------------------------------


def start_totp_enrolment(*, user: User, now: datetime | None = None) -> TOTPDevice:
    """The unconfirmed device to show during enrolment; a confirmed one is never replaced."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        return device
    return TOTPDevice.objects.create(user=user, secret=pyotp.random_base32(), created_at=_now(now))


def _matching_step(device: TOTPDevice, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(device.secret)
    for offset in range(-TOTP_DRIFT_STEPS, TOTP_DRIFT_STEPS + 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        if pyotp.utils.strings_equal(totp.at(moment), code.strip()):
            return totp.timecode(moment)
    return None


def verify_totp(
    *, user: User, code: str, ip: str | None, now: datetime | None = None
) -> TOTPDevice:
    """Check a code from the user's device; the first good code also confirms enrolment."""
    at = _now(now)
    scope = SignInFailure.Scope.STAFF
    _refuse_if_locked(scope, user.username, ip, at)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        step = _matching_step(device, code, at) if device is not None else None
        last_step = device.last_used_step if device is not None else None
        replayed = step is not None and last_step is not None and step <= last_step
        # `device is None` only spells out for mypy what `step is None` already implies.
        if device is None or step is None or replayed:
            record_sign_in_failure(scope=scope, key=user.username, ip=ip, now=at)
        else:
            device.last_used_step = step
            device.confirmed_at = device.confirmed_at or at
            device.save(update_fields=["last_used_step", "confirmed_at"])
    if device is None or step is None or replayed:
        raise SignInRefused(_("The code is wrong. Enter the 6-digit code your app shows now."))
    _forget_failures(scope, user.username, ip)
    return device


def reset_totp_device(*, user: User) -> None:
    """Recovery: an administrator removes the device; the next sign-in enrols a new one."""
    TOTPDevice.objects.filter(user=user).delete()
