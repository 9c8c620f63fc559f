"""`liuyan export`: messages with replies and timelines to CSV, XLSX or JSON Lines."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liuyan.board.models import Message

from ... import export


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give a date like 2026-03-02: %(value)s") % {"value": text}) from None


class Command(BaseCommand):
    help = _(
        "Export messages with their replies and timelines (CSV, XLSX or JSON Lines), streamed "
        "in id order so that any number of messages needs little memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=export.FORMATS, default="csv")
        parser.add_argument("--output", "-o", help=_("File to write (default: standard output)."))
        parser.add_argument("--board", type=int, help=_("Only this board (id)."))
        parser.add_argument("--state", default="", help=_("Only messages in this state."))
        parser.add_argument("--channel", default="", choices=["", *Message.Channel.values])
        parser.add_argument("--since", type=_day, help=_("Submitted on or after this day."))
        parser.add_argument("--until", type=_day, help=_("Submitted on or before this day."))

    def handle(self, *args, **options):
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError(_("XLSX needs --output FILE."))
        chosen = export.ExportFilter(
            board_id=options["board"],
            state=options["state"],
            channel=options["channel"],
            since=options["since"],
            until=options["until"],
        )
        pieces = export.pieces(options["format"], chosen.apply(Message.objects.all()))
        if options["output"]:
            with open(options["output"], "wb") as handle:
                for piece in pieces:
                    handle.write(piece)
        else:
            for piece in pieces:
                sys.stdout.buffer.write(piece)
            sys.stdout.flush()
