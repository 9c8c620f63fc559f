"""Writes the API adds around the lifecycle services: filing once per Idempotency-Key, and
the Open311 details of a request. The message itself is always made by
`board.services.submit_message`, with channel = API."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import services as board_services
from liuyan.board.models import Message

from .models import ApiKey, IdempotencyRecord, Open311Request

IDEMPOTENCY_KEY_MAX = 255


def fingerprint(data: dict) -> str:
    """The request's content, so a key reused for a different filing is refused."""
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def owner_of(*, key: ApiKey | None, user) -> str:
    if key is not None:
        return f"key:{key.pk}"
    return f"user:{user.pk}"


@dataclass(frozen=True)
class Filed:
    message: Message
    replayed: bool  # True: the Idempotency-Key was seen before; this is the first result


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different request."""


def file_message(
    *,
    author,
    key: ApiKey | None,
    data: dict,
    idempotency_key: str = "",
    open311: dict | None = None,
    now: datetime | None = None,
) -> Filed:
    """File a message through the API. With an `idempotency_key`, the record of the key and the
    message commit together: a retry, even one racing the first request, finds the record and
    gets the first message back, never a second one."""
    now = now or timezone.now()
    if not idempotency_key:
        return Filed(_submit(author, key, data, open311, now), replayed=False)
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {"Idempotency-Key": _("At most %(n)d characters.") % {"n": IDEMPOTENCY_KEY_MAX}}
        )
    owner = owner_of(key=key, user=author)
    digest = fingerprint({**data, "open311": open311})
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                owner=owner, key=idempotency_key, fingerprint=digest, created_at=now
            )
            message = _submit(author, key, data, open311, now)
            record.message = message
            record.save(update_fields=["message"])
            return Filed(message, replayed=False)
    except IntegrityError:
        # Another request with this key committed first (the unique constraint waited for it).
        first = (
            IdempotencyRecord.objects.select_related("message")
            .filter(owner=owner, key=idempotency_key)
            .first()
        )
        if first is None or first.message is None:
            raise
    if first.fingerprint != digest:
        raise IdempotencyConflict
    return Filed(first.message, replayed=True)


def _submit(author, key, data: dict, open311: dict | None, now: datetime) -> Message:
    contact = {
        field: value
        for field, value in (
            ("name", data.get("contact_name", "")),
            ("phone", data.get("contact_phone", "")),
            ("email", data.get("contact_email", "")),
            ("address", data.get("contact_address", "")),
        )
        if value
    }
    author = author if author is not None and author.is_authenticated else None
    message = board_services.submit_message(
        author=author,
        board=data["board"],
        type=data["type"],
        title=data["title"],
        body=data["body"],
        is_public=data.get("is_public", True),
        domain=data.get("domain"),
        place=data.get("place", ""),
        channel=Message.Channel.API,
        contact=contact or None,
        now=now,
    )
    if open311 is not None:
        Open311Request.objects.create(
            message=message, token=secrets.token_urlsafe(12), api_key=key, **open311
        )
    return message


# A retry comes within minutes; a week covers a client that was down over a weekend.
IDEMPOTENCY_DAYS = 7


def prune_api_records(*, now: datetime | None = None) -> tuple[int, int]:
    """Forget finished rate windows and week-old idempotency records; for `liuyan tick`.
    A retry after that files a new message (docs/api.md)."""
    from datetime import timedelta

    from .models import RateWindow
    from .throttling import WINDOW

    now = now or timezone.now()
    windows, _ = RateWindow.objects.filter(started_at__lt=now - 2 * WINDOW).delete()
    records, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)
    ).delete()
    return windows, records
