"""Re-mask public text stored by an older masking, so rows written before a fix hold no
personal data the current rules find (issue #11: numbers with a wrong check digit, addresses).

Masking is idempotent, so each public copy is masked again as it stands: a moderator's edits of
a public text are kept, and only newly found spans are starred. The search text is derived again
from the re-masked copy and the latest published reply (masked as staff text). Used by the
`remask-public-text` command and by the board data migration, which pass the models (current or
historical) they work on.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from liuyan.core.lifecycle import ReplyState
from liuyan.insight.masking import mask_public

from . import search

BATCH_SIZE = 2000


def _keyset(queryset, fields: list[str], batch_size: int) -> Iterator[list]:
    """Rows by id, keyset-paginated so every batch costs the same."""
    last_id = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_id).order_by("pk").only("id", *fields)[:batch_size]
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1].pk


def remask_column(model, fields: list[str], *, batch_size: int = BATCH_SIZE) -> int:
    """Mask each of `fields` (citizen text) again; the number of rows that changed."""
    changed = 0
    for batch in _keyset(model._default_manager.all(), fields, batch_size):
        stale = [row for row in batch if _remasked(row, fields)]
        with transaction.atomic():
            model._default_manager.bulk_update(stale, fields)
        changed += len(stale)
    return changed


def _remasked(row, fields: list[str]) -> bool:
    changed = False
    for name in fields:
        value = getattr(row, name)
        masked = mask_public(value)
        if masked != value:
            setattr(row, name, masked)
            changed = True
    return changed


def _latest_published_reply_bodies(reply_model, message_ids: list[int]) -> dict[int, str]:
    replies = (
        reply_model._default_manager.filter(message_id__in=message_ids, state=ReplyState.PUBLISHED)
        .order_by("message_id", "-published_at", "-id")
        .values_list("message_id", "body")
    )
    latest: dict[int, str] = {}
    for message_id, body in replies:
        latest.setdefault(message_id, body)
    return latest


def remask_messages(message_model, reply_model, *, batch_size: int = BATCH_SIZE) -> int:
    """Re-mask messages' public title and body and derive their search text again."""
    fields = ["public_title", "public_body", "search_text"]
    changed = 0
    for batch in _keyset(message_model._default_manager.all(), fields, batch_size):
        replies = _latest_published_reply_bodies(reply_model, [m.pk for m in batch])
        stale = []
        for message in batch:
            remasked = _remasked(message, ["public_title", "public_body"])
            text = search.search_text_for(message, replies.get(message.pk, ""))
            if remasked or text != message.search_text:
                message.search_text = text
                stale.append(message)
        with transaction.atomic():
            message_model._default_manager.bulk_update(stale, fields)
        changed += len(stale)
    return changed


def remask_board(apps, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Every public text of the board app: messages, follow-ups, thanks, rating comments."""

    def model(name: str):
        return apps.get_model("board", name)

    return {
        "messages": remask_messages(model("Message"), model("Reply"), batch_size=batch_size),
        "follow-ups": remask_column(model("FollowUp"), ["public_body"], batch_size=batch_size),
        "thanks": remask_column(model("Thanks"), ["public_body"], batch_size=batch_size),
        "ratings": remask_column(model("Evaluation"), ["comment"], batch_size=batch_size),
    }
