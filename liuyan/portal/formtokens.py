"""One-time tokens for the write form, so a double click or a resent POST makes one message.

A token is a FormToken row, issued when the form is shown and consumed inside the transaction
that creates the message: if the send fails and rolls back, the token is still there for the
retry. Consuming locks the row first (PostgreSQL's row lock; SQLite's IMMEDIATE transaction holds
the write lock from its start), so a second request with the same token waits for the first and
then finds the message it made.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from liuyan.board.models import Message

from .models import FormToken

KEEP = 20  # a citizen may have a few forms open in tabs; the oldest unsent ones lapse


def lifetime() -> timedelta:
    return timedelta(hours=settings.LIUYAN_FORM_TOKEN_HOURS)


def issue(user, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    token = secrets.token_urlsafe(18)
    FormToken.objects.create(token=token, owner=user, created_at=now)
    _lapse_beyond_keep(user)
    return token


def _lapse_beyond_keep(user) -> None:
    """Each form shown makes a row; a user reloading the form all day keeps only the newest."""
    unsent = FormToken.objects.filter(owner=user, consumed_at__isnull=True)
    old = unsent.order_by("-created_at").values_list("token", flat=True)[KEEP:]
    FormToken.objects.filter(token__in=list(old)).delete()


def find(user, token: str, *, lock: bool = False) -> FormToken | None:
    """The user's live token, sent or not; None when it lapsed or was never theirs."""
    if not token or not getattr(user, "is_authenticated", False):
        return None
    rows = FormToken.objects.select_related("message")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.filter(token=token, owner=user, created_at__gt=timezone.now() - lifetime()).first()


def consume(form_token: FormToken, message: Message, *, now: datetime) -> None:
    """Mark the token used by `message`. Call in the transaction that created the message."""
    form_token.consumed_at = now
    form_token.message = message
    form_token.images = []  # they are the message's attachments now
    form_token.save(update_fields=["consumed_at", "message", "images"])


def keep_images(form_token: FormToken, images: list[dict]) -> None:
    form_token.images = images
    FormToken.objects.filter(pk=form_token.pk, consumed_at__isnull=True).update(images=images)


def prune(*, now: datetime) -> int:
    """Delete tokens past their lifetime, sent or not (for `liuyan tick`); returns how many.
    Their draft images are removed by uploads.discard_stale_drafts after the same day."""
    deleted, _ = FormToken.objects.filter(created_at__lte=now - lifetime()).delete()
    return deleted
