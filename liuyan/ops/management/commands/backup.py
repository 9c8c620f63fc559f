"""`liuyan backup`: database, uploads and trained models in one archive (liuyan/ops/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.ops import backup


class Command(BaseCommand):
    help = _(
        "Write the database (SQLite online backup or pg_dump), the uploads and the trained models "
        "into one tar archive with a manifest of row counts; safe while the site runs."
    )
    requires_system_checks = []  # a backup must work even when the site would not start

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help=_("Archive to write; .tar.gz or .tgz compresses (default: var/backups/…)."),
        )
        parser.add_argument("--database", default="default", help=_("Database alias."))

    def handle(self, *args, **options):
        output = options["output"] or backup.default_archive_path()
        manifest = backup.create_backup(output, using=options["database"], say=self.say)
        rows = manifest["database"]["rows"]
        files = sum(folder["files"] for folder in manifest["folders"].values())
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s: %(rows)d rows, %(files)d files, %(size).1f MB.")
                % {
                    "path": output,
                    "rows": sum(rows.values()),
                    "files": files,
                    "size": output.stat().st_size / 1e6,
                }
            )
        )

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
