"""`liuyan export`: messages with replies and timelines, or a campaign's suggestions with their
decisions (`--what suggestions`), to CSV, XLSX or JSON Lines."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liuyan.board.models import Message
from liuyan.campaigns import export as campaign_export
from liuyan.campaigns.models import Campaign, Suggestion

from ... import export


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give a date like 2026-03-02: %(value)s") % {"value": text}) from None


class Command(BaseCommand):
    help = _(
        "Export messages with their replies and timelines, or suggestions of campaigns with "
        "their decisions (CSV, XLSX or JSON Lines), streamed in id order so that any number "
        "of rows needs little memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--what", choices=["messages", "suggestions"], default="messages")
        parser.add_argument("--format", choices=export.FORMATS, default="csv")
        parser.add_argument("--output", "-o", help=_("File to write (default: standard output)."))
        parser.add_argument("--board", type=int, help=_("Only this board (id)."))
        parser.add_argument("--state", default="", help=_("Only messages in this state."))
        parser.add_argument("--channel", default="", choices=["", *Message.Channel.values])
        parser.add_argument("--since", type=_day, help=_("Submitted on or after this day."))
        parser.add_argument("--until", type=_day, help=_("Submitted on or before this day."))
        suggestions = parser.add_argument_group(_("suggestions"))
        suggestions.add_argument("--campaign", type=int, help=_("Only this campaign (id)."))
        suggestions.add_argument("--status", default="", choices=["", *Suggestion.Status.values])
        suggestions.add_argument(
            "--outcome",
            default="",
            choices=["", *(value for value, _label in campaign_export.OUTCOME_CHOICES)],
            help=_("Only suggestions with this decision (or unsent, undecided)."),
        )
        suggestions.add_argument(
            "--public",
            action="store_true",
            help=_(
                "Only what the public sees: published public suggestions, masked, without "
                "the staff columns."
            ),
        )

    def handle(self, *args, **options):
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError(_("XLSX needs --output FILE."))
        if options["what"] == "suggestions":
            pieces = self._suggestions(options)
        else:
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

    def _suggestions(self, options):
        campaign_id = options["campaign"]
        if campaign_id and not Campaign.objects.filter(pk=campaign_id).exists():
            raise CommandError(_("No campaign %(id)s.") % {"id": campaign_id})
        chosen = campaign_export.SuggestionFilter(
            campaign_id=campaign_id, status=options["status"], outcome=options["outcome"]
        )
        public = options["public"]
        return campaign_export.pieces(
            options["format"],
            chosen.apply(Suggestion.objects.all()),
            public=public,
            original=not public,
        )
