"""Mask every stored public text again with the current rules, and the search index with it.

Run it after the masking rules learn a new shape (a deploy that changes liuyan.insight.masking):
rows written before still hold what the old rules let through. Safe to run again; a moderator's
edits of a public text are kept (see liuyan.board.remask).
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from liuyan.board import remask, search


class Command(BaseCommand):
    help = "Re-mask public titles, bodies, follow-ups, thanks, ratings and hot issues."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=remask.BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options):
        counts = remask.remask_board(apps, batch_size=batch_size)
        counts["hot issues"] = remask.remask_column(
            apps.get_model("reports", "HotIssue"), ["title", "place"], batch_size=batch_size
        )
        for what, changed in counts.items():
            self.stdout.write(f"{what}: {changed} re-masked")
        if connection.vendor == "sqlite":
            # The triggers follow each update; a rebuild also covers writes made without them.
            search.ensure_sqlite_index()
            indexed = search.rebuild_sqlite_index()
            self.stdout.write(f"Full-text index rebuilt: {indexed} public messages.")
