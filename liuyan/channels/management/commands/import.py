"""`liuyan import FILE --board BOARD`: load an old system's messages and replies."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from liuyan.directory.models import Board, Unit

from ... import importer


def _board(value: str) -> Board:
    board = Board.objects.filter(pk=int(value)).first() if value.isdigit() else None
    board = board or Board.objects.filter(name=value).first()
    if board is None:
        raise CommandError(_("No board %(board)s (give its id or its name).") % {"board": value})
    return board


class Command(BaseCommand):
    help = _(
        "Import messages (and their replies) from a CSV or XLSX file in the provincial board's "
        "export format, at their own times. Rows already imported are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--board", required=True, help=_("Board id or exact name."))
        parser.add_argument(
            "--unit", help=_("Id of the unit that answered (default: the board's default unit).")
        )
        parser.add_argument(
            "--user",
            help=_("Administrator recorded as taking the steps (default: the first superuser)."),
        )
        parser.add_argument(
            "--source",
            default=importer.DEFAULT_SOURCE,
            help=_("Name of the source system; ids are unique within it (default: import)."),
        )
        parser.add_argument(
            "--time",
            help=_(
                "Time of the messages of a file without a time column (the segmented form), "
                "as 2020-01-08 13:54:22 in Beijing time (default: now)."
            ),
        )
        parser.add_argument("--batch-size", type=int, default=importer.BATCH)
        parser.add_argument("--no-progress", action="store_true", help=_("No progress bar."))

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        board = _board(options["board"])
        unit = None
        if options["unit"]:
            unit = (
                Unit.objects.filter(pk=int(options["unit"])).first()
                if options["unit"].isdigit()
                else None
            )
            if unit is None:
                raise CommandError(_("No unit %(unit)s.") % {"unit": options["unit"]})
        users = get_user_model().objects
        if options["user"]:
            actor = users.filter(username=options["user"]).first()
        else:
            actor = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError(_("Name an administrator with --user."))
        default_time = None
        if options["time"]:
            try:
                default_time = importer.parse_time(options["time"], "--time")
            except ValueError as error:
                raise CommandError(str(error)) from None
        bar = tqdm(
            None,
            desc=path.name,
            unit=" " + _("rows"),
            disable=options["no_progress"],
            file=sys.stderr,
        )
        try:
            report = importer.import_file(
                path,
                board=board,
                unit=unit,
                actor=actor,
                source=options["source"],
                batch_size=max(1, options["batch_size"]),
                progress=bar.update,
                default_time=default_time,
            )
        except importer.ImportFileError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(
            _(
                "%(rows)d rows: %(created)d messages created (%(replies)d with a reply), "
                "%(skipped)d already imported, %(bad)d bad rows."
            )
            % {
                "rows": report.rows,
                "created": report.created,
                "replies": report.replies,
                "skipped": report.skipped,
                "bad": len(report.problems),
            }
        )
