"""`liuyan restore ARCHIVE`: put a `liuyan backup` archive back (see liuyan/ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.ops import backup


class Command(BaseCommand):
    help = _(
        "Restore the database, uploads and trained models from a `liuyan backup` archive into an "
        "empty database and empty folders, then compare the rows with the archive's manifest."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help=_("The archive `liuyan backup` wrote."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Replace a database and folders that are not empty (everything in them is lost)."
            ),
        )
        parser.add_argument("--database", default="default", help=_("Database alias."))

    def handle(self, *args, **options):
        manifest = backup.restore_backup(
            options["archive"], force=options["force"], using=options["database"], say=self.say
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored the backup of %(created)s (liuyan %(version)s).")
                % {"created": manifest["created_at"], "version": manifest["liuyan_version"]}
            )
        )

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
