"""Reads about people: who is staff, who needs a second factor, what the limits say now."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from liuyan.directory.models import Membership
from liuyan.web.keyset import ID_ONLY, Page, keyset_page

from . import crypto
from .models import AuditEntry, KnownAddress, PhoneCode, SignInFailure, TOTPDevice, User

CODE_COOLDOWN = timedelta(seconds=60)
CODES_PER_NUMBER_PER_DAY = 10
CODE_IP_WINDOW = timedelta(hours=1)
SIGN_IN_LOCKED = "sign_in_locked"  # the audit action of every lock

# --- who is who ---------------------------------------------------------------------------


def is_staff_user(user) -> bool:
    """Staff: anyone with a membership, or flagged staff/superuser in Django."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exists()


def needs_second_factor(user) -> bool:
    """Every staff role signs in with two factors: handlers and heads see citizens' contact
    details, leaders and operators private messages, and moderators and administrators can
    change everything. So does anyone flagged staff, since that flag alone opens the admin."""
    return is_staff_user(user)


def is_administrator(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()


def role_summary(user) -> str:
    """The user's roles as short words, for the audit trail: 'superuser,moderator,handler'."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    roles = sorted(set(Membership.objects.filter(user=user).values_list("role", flat=True)))
    if user.is_superuser:
        roles.insert(0, "superuser")
    elif user.is_staff:
        roles.insert(0, "staff")
    return ",".join(roles)


def memberships_for_profile(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("unit", "region", "board")


def user_by_phone(phone: str) -> User | None:
    """The account of a mobile number, found by its keyed hash (the number is encrypted)."""
    digest = crypto.phone_hash(phone)
    return User.objects.filter(phone_hash=digest).first() if digest else None


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


# --- limits -------------------------------------------------------------------------------


def _local_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_until_tomorrow(now: datetime) -> int:
    """Seconds until the next midnight in Asia/Shanghai, when the daily limits start again."""
    return max(1, math.ceil((_local_midnight(now) + timedelta(days=1) - now).total_seconds()))


def seconds_until_next_code(phone: str, now: datetime) -> int:
    """0 if the number may ask for a code now, else how many seconds it must wait."""
    last = (
        PhoneCode.objects.filter(phone_hash=crypto.phone_hash(phone))
        .order_by("-created_at")
        .first()
    )
    if last is None:
        return 0
    wait = (last.created_at + CODE_COOLDOWN - now).total_seconds()
    return max(0, math.ceil(wait))


def codes_today(phone: str, now: datetime) -> int:
    """Codes sent to this number since midnight in Asia/Shanghai."""
    codes = PhoneCode.objects.filter(phone_hash=crypto.phone_hash(phone))
    return codes.filter(created_at__gte=_local_midnight(now)).count()


def codes_from_ip_last_hour(ip: str | None, now: datetime) -> int:
    if not ip:
        return 0
    return PhoneCode.objects.filter(ip_address=ip, created_at__gte=now - CODE_IP_WINDOW).count()


def _lock_window() -> timedelta:
    return timedelta(minutes=settings.LIUYAN_SIGNIN_LOCK_MINUTES)


def _locked_until(failures: QuerySet[SignInFailure], limit: int, now: datetime) -> datetime | None:
    """When the oldest of the last `limit` failures leaves the window, or None if not locked."""
    recent = list(
        failures.filter(at__gte=now - _lock_window())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    until = recent[limit - 1] + _lock_window()
    return until if until > now else None


def _from_address(failures: QuerySet[SignInFailure], ip: str | None) -> QuerySet[SignInFailure]:
    return failures.filter(ip_address=ip) if ip else failures.filter(ip_address__isnull=True)


@dataclass(frozen=True)
class SignInLock:
    """Why and until when a sign-in attempt must wait. `kind` is one of LOCK_KINDS."""

    kind: str
    until: datetime

    def seconds(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


LOCK_ACCOUNT_ADDRESS = "account_address"  # this account from this address: locked
LOCK_ACCOUNT = "account"  # this account from every address it never signed in from: locked
LOCK_ADDRESS = "address"  # this address, every account: slowed down (seconds, growing)
LOCK_KINDS = (LOCK_ACCOUNT_ADDRESS, LOCK_ACCOUNT, LOCK_ADDRESS)


def is_known_address(scope: str, key: str, ip: str | None) -> bool:
    """Whether `key` signed in successfully from `ip` before (within the retention period)."""
    if not ip or not key:
        return False
    return KnownAddress.objects.filter(
        scope=scope, key_hash=known_address_hash(key), ip_address=ip
    ).exists()


def known_address_hash(key: str) -> str:
    return crypto.lookup_hash("sign-in:" + key)


def _slowdown_exponent_cap() -> int:
    return max(0, math.ceil(math.log2(max(1, settings.LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS))))


def address_slowed_until(scope: str, ip: str | None, now: datetime) -> datetime | None:
    """Past LIUYAN_SIGNIN_MAX_FAILURES_PER_IP failures in the window, each further attempt from
    the address waits 1, 2, 4 … seconds (at most LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS) after its
    last failure. The wait keeps a guesser to a trickle; nobody behind the address is locked."""
    if not ip:
        return None
    recent = SignInFailure.objects.filter(scope=scope, ip_address=ip, at__gte=now - _lock_window())
    excess = recent.count() - settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP
    if excess < 0:
        return None
    delay = min(
        settings.LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS, 2 ** min(excess, _slowdown_exponent_cap())
    )
    last = recent.order_by("-at").values_list("at", flat=True).first()
    if last is None:  # not reached: recent.count() was past the limit above
        return None
    until = last + timedelta(seconds=delay)
    return until if until > now else None


def lock_until(kind: str, scope: str, key: str, ip: str | None, now: datetime) -> datetime | None:
    """Until when the lock of `kind` on this account and address lasts, if it is on."""
    in_scope = SignInFailure.objects.filter(scope=scope)
    if kind == LOCK_ACCOUNT_ADDRESS:
        pair = _from_address(in_scope.filter(key=key), ip)
        return _locked_until(pair, settings.LIUYAN_SIGNIN_MAX_FAILURES, now)
    if kind == LOCK_ACCOUNT:
        limit = settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_ACCOUNT
        return _locked_until(in_scope.filter(key=key), limit, now)
    return address_slowed_until(scope, ip, now)


def sign_in_lock(scope: str, key: str, ip: str | None, now: datetime) -> SignInLock | None:
    """The lock that stops `key` signing in from `ip` now, if any.

    Failures count per account-and-address pair; an account hammered from many addresses is
    locked only for addresses it has never signed in from; an address with many failures is
    slowed down. A known address is spared the last two, not the first.
    """
    until = lock_until(LOCK_ACCOUNT_ADDRESS, scope, key, ip, now)
    if until is not None:
        return SignInLock(LOCK_ACCOUNT_ADDRESS, until)
    if is_known_address(scope, key, ip):
        return None
    for kind in (LOCK_ACCOUNT, LOCK_ADDRESS):
        until = lock_until(kind, scope, key, ip, now)
        if until is not None:
            return SignInLock(kind, until)
    return None


def locks_reached_by_failure(scope: str, key: str, ip: str | None, now: datetime) -> list[str]:
    """The lock kinds the failure just recorded switched on (their count reached the limit
    exactly), so that each lock is written to the audit trail once."""
    window = SignInFailure.objects.filter(scope=scope, at__gte=now - _lock_window())
    reached = []
    if _from_address(window.filter(key=key), ip).count() == settings.LIUYAN_SIGNIN_MAX_FAILURES:
        reached.append(LOCK_ACCOUNT_ADDRESS)
    if window.filter(key=key).count() == settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_ACCOUNT:
        reached.append(LOCK_ACCOUNT)
    if ip and window.filter(ip_address=ip).count() == settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP:
        reached.append(LOCK_ADDRESS)
    return reached


@dataclass(frozen=True)
class LockRow:
    """One lock from the audit trail, as the administrators' list shows it."""

    at: datetime
    kind: str
    scope: str
    account: str
    ip_address: str | None
    until: datetime | None
    active: bool


def recent_sign_in_locks(*, now: datetime, days: int = 7, limit: int = 500) -> list[LockRow]:
    """Locks written to the audit trail in the last `days` days, newest first."""
    entries = AuditEntry.objects.filter(
        action=SIGN_IN_LOCKED, at__gte=now - timedelta(days=days)
    ).order_by("-at", "-id")[:limit]
    return [_lock_row(entry, now) for entry in entries]


def _lock_row(entry: AuditEntry, now: datetime) -> LockRow:
    detail = entry.detail or {}
    try:
        until = datetime.fromisoformat(detail.get("until", ""))
    except ValueError:
        until = None
    return LockRow(
        at=entry.at,
        kind=detail.get("kind", ""),
        scope=detail.get("scope", ""),
        account=entry.username,
        ip_address=entry.ip_address,
        until=until,
        active=until is not None and until > now,
    )


def minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


# --- the audit trail ----------------------------------------------------------------------


def audit_entries(
    *,
    username: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries matching the filters, newest first; dates are days in Asia/Shanghai."""
    entries = AuditEntry.objects.all()
    if username:
        entries = entries.filter(Q(username__iexact=username) | Q(user__username__iexact=username))
    if action:
        entries = entries.filter(action__startswith=action)
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return entries.order_by("-at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def audit_page(entries: QuerySet[AuditEntry], *, before: str | None, size: int) -> Page:
    """One page of entries, newest first, by keyset on id (`liuyan.web.keyset`): no COUNT over
    the whole table. The cursor is the id the next page starts below.

    Entries are appended in time order, so a smaller id is never newer.
    """
    return keyset_page(
        entries, key="pk", descending=True, cursor=before, size=size, cursor_format=ID_ONLY
    )
