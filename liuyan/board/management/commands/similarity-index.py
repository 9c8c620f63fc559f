"""`liuyan similarity-index`: build or top up the stored similarity index (see
liuyan.board.similarity). `liuyan tick` queues the same work for the task worker every
SNAPSHOT_SECONDS; run it by hand after a bulk import, or with --rebuild after correcting texts."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from liuyan.board import similarity


class Command(BaseCommand):
    help = (
        "Build the similarity index (similar messages, possible duplicates, campaigns) or add "
        "the messages that arrived since, and store it for the web processes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Start afresh instead of topping up."
        )

    def handle(self, *args, rebuild: bool, **options):
        result = similarity.store_index(rebuild=rebuild)
        self.stdout.write(
            f"Similarity index {'built' if result.rebuilt else 'topped up'}: "
            f"{result.messages} messages ({result.added} added), {result.campaigns} campaigns, "
            f"{result.seconds:.1f} s, stored in {similarity.snapshot_path()}."
        )
