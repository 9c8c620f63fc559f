"""Recompute every message's search_text and rebuild the search index. Safe to run again.

Use it after changing the segmenter's word list or the OpenCC data (search_text is derived from
them), or after a migration remade board_message on SQLite (which drops the index triggers).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Prefetch
from tqdm import tqdm

from liuyan.board import search
from liuyan.board.models import Message, Reply
from liuyan.core.lifecycle import ReplyState


def _latest_published_replies() -> Prefetch:
    published = Reply.objects.filter(state=ReplyState.PUBLISHED).order_by("-published_at", "-id")
    return Prefetch(
        "replies", queryset=published.only("id", "message_id", "body"), to_attr="published"
    )


def _batch(after_id: int, size: int) -> list[Message]:
    """The next `size` messages by id (keyset, so each batch costs the same)."""
    return list(
        Message.objects.filter(pk__gt=after_id)
        .order_by("pk")
        .only("id", "public_title", "public_body", "search_text")
        .prefetch_related(_latest_published_replies())[:size]
    )


def _refreshed(messages: list[Message]) -> list[Message]:
    """The messages whose search_text was out of date, now corrected."""
    changed = []
    for message in messages:
        published: list[Reply] = message.published  # type: ignore[attr-defined]  # to_attr above
        reply = published[0].body if published else ""
        text = search.search_text_for(message, reply)
        if text != message.search_text:
            message.search_text = text
            changed.append(message)
    return changed


class Command(BaseCommand):
    help = "Recompute search_text for all messages and rebuild the full-text index."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size: int, **options):
        total = Message.objects.count()  # once, for the progress bar: a maintenance command
        changed = self._recompute(total, batch_size)
        self.stdout.write(f"search_text updated on {changed} of {total} messages.")
        if connection.vendor == "sqlite":
            self._rebuild_sqlite()
        elif connection.vendor == "postgresql":
            # The index follows the generated column by itself; only the kind may change.
            index = search.ensure_postgres_index()
            self.stdout.write(f"PostgreSQL search index: {index}.")

    def _recompute(self, total: int, batch_size: int) -> int:
        changed, last_id = 0, 0
        with tqdm(total=total, unit="msg", file=sys.stderr, disable=None) as progress:
            while batch := _batch(last_id, batch_size):
                stale = _refreshed(batch)
                with transaction.atomic():
                    # Only search_text: updated_at and everything else stay as they were.
                    Message.objects.bulk_update(stale, ["search_text"])
                changed += len(stale)
                last_id = batch[-1].pk
                progress.update(len(batch))
        return changed

    def _rebuild_sqlite(self) -> None:
        restored = search.ensure_sqlite_index()
        if restored:
            self.stderr.write(f"Put back missing index triggers: {', '.join(restored)}.")
        indexed = search.rebuild_sqlite_index()
        self.stdout.write(f"Full-text index rebuilt: {indexed} public messages.")
