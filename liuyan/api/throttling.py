"""Rate limits per key and per address, counted in the database.

DRF's own throttles keep their history in the Django cache, which here is the per-process
memory cache: with several gunicorn workers each would count on its own. One row per caller and
minute (`RateWindow`), incremented with an UPDATE, is shared by every process and costs one or
two indexed writes a request.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from liuyan.accounts.ip import client_ip

from .models import RateWindow

WINDOW = timedelta(minutes=1)


def _window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def hit(bucket: str, *, now: datetime | None = None) -> int:
    """Count one request for `bucket` in the current minute; the count so far, this one included."""
    now = now or timezone.now()
    start = _window_start(now)
    with transaction.atomic():
        updated = RateWindow.objects.filter(bucket=bucket, started_at=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateWindow.objects.create(bucket=bucket, started_at=start, count=1)
                # A new minute for this caller: forget its older windows.
                RateWindow.objects.filter(bucket=bucket, started_at__lt=start).delete()
                return 1
            except IntegrityError:  # another process opened the window first
                RateWindow.objects.filter(bucket=bucket, started_at=start).update(
                    count=F("count") + 1
                )
        row = RateWindow.objects.filter(bucket=bucket, started_at=start).values_list(
            "count", flat=True
        )
        return row.first() or 1


def caller_bucket(request) -> tuple[str, int]:
    """Whose requests count together, and how many a minute they may send."""
    key = getattr(request, "auth", None)
    if key is not None and hasattr(key, "prefix"):
        return f"key:{key.prefix}", settings.LIUYAN_API_RATE_PER_KEY
    return f"ip:{client_ip(request) or 'unknown'}", settings.LIUYAN_API_RATE_PER_ADDRESS


def retry_after(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(1, int((_window_start(now) + WINDOW - now).total_seconds()) + 1)


class KeyOrAddressThrottle(BaseThrottle):
    """A key's requests count against the key's limit, anonymous ones against the address's."""

    def allow_request(self, request, view) -> bool:
        bucket, limit = caller_bucket(request)
        self._now = timezone.now()
        return hit(bucket, now=self._now) <= limit

    def wait(self) -> float:
        return float(retry_after(getattr(self, "_now", None)))
