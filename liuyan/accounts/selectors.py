"""Reads about people: who is staff, who needs a second factor, what the limits say now."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from liuyan.directory.models import Membership

from .models import AuditEntry, PhoneCode, SignInFailure, TOTPDevice, User

CODE_COOLDOWN = timedelta(seconds=60)
CODES_PER_NUMBER_PER_DAY = 10
CODE_IP_WINDOW = timedelta(hours=1)

SECOND_FACTOR_ROLES = (Membership.Role.MODERATOR, Membership.Role.ADMIN)

# --- who is who ---------------------------------------------------------------------------


def is_staff_user(user) -> bool:
    """Staff: anyone with a membership, or flagged staff/superuser in Django."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exists()


def needs_second_factor(user) -> bool:
    """Moderators and administrators can change or see everything: they need TOTP. So does
    anyone flagged staff, since that flag alone opens the Django admin."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


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
    return User.objects.filter(phone=phone).first()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


# --- limits -------------------------------------------------------------------------------


def _local_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_until_next_code(phone: str, now: datetime) -> int:
    """0 if the number may ask for a code now, else how many seconds it must wait."""
    last = PhoneCode.objects.filter(phone=phone).order_by("-created_at").first()
    if last is None:
        return 0
    wait = (last.created_at + CODE_COOLDOWN - now).total_seconds()
    return max(0, math.ceil(wait))


def codes_today(phone: str, now: datetime) -> int:
    """Codes sent to this number since midnight in Asia/Shanghai."""
    return PhoneCode.objects.filter(phone=phone, created_at__gte=_local_midnight(now)).count()


def codes_from_ip_last_hour(ip: str | None, now: datetime) -> int:
    if not ip:
        return 0
    return PhoneCode.objects.filter(ip_address=ip, created_at__gte=now - CODE_IP_WINDOW).count()


def _lock_window() -> timedelta:
    return timedelta(minutes=settings.LIUYAN_SIGNIN_LOCK_MINUTES)


def _locked_until(failures: QuerySet[SignInFailure], limit: int, now: datetime) -> datetime | None:
    """When the oldest of the last `limit` failures leaves the window, or None if not locked."""
    recent = list(
        failures.filter(at__gte=now - _lock_window()).order_by("-at").values_list("at", flat=True)
    )
    if len(recent) < limit:
        return None
    return recent[limit - 1] + _lock_window()


def sign_in_locked_until(scope: str, key: str, ip: str | None, now: datetime) -> datetime | None:
    """If sign-in for this account or from this address is locked now, until when."""
    in_scope = SignInFailure.objects.filter(scope=scope)
    candidates = [
        _locked_until(in_scope.filter(key=key), settings.LIUYAN_SIGNIN_MAX_FAILURES, now)
        if key
        else None,
        _locked_until(
            in_scope.filter(ip_address=ip), settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP, now
        )
        if ip
        else None,
    ]
    until = [moment for moment in candidates if moment is not None and moment > now]
    return max(until) if until else None


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


def audit_page(entries: QuerySet[AuditEntry], *, before_id: int | None, size: int):
    """One page of entries by keyset (id below `before_id`): no COUNT over the whole table.

    Entries are appended in time order, so a smaller id is never newer.
    """
    if before_id:
        entries = entries.filter(id__lt=before_id)
    rows = list(entries.order_by("-id")[: size + 1])
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)
