"""`liuyan mailbox imap|folder`: take in e-mail to the boards' addresses."""

from dataclasses import asdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...mailbox import EmlFolder, ImapSettings, ImapSource, Tally


class Command(BaseCommand):
    help = _(
        "Read e-mail sent to the boards' addresses: from an IMAP mailbox over TLS (once, polling, "
        "or waiting with IDLE), or from a folder of .eml files. New mail becomes messages, mail "
        "in a message's thread a follow-up; refused mail is quarantined, never lost."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="source", required=True)
        imap = sub.add_parser("imap", help=_("An IMAP mailbox (settings LIUYAN_MAILBOX_*)."))
        imap.add_argument("--host", help=_("Default: LIUYAN_MAILBOX_HOST."))
        imap.add_argument("--port", type=int, help=_("993 (TLS) or 143 (STARTTLS)."))
        imap.add_argument("--user")
        imap.add_argument("--folder")
        imap.add_argument("--cafile", help=_("Certificate to trust (a private CA)."))
        imap.add_argument(
            "--starttls", action="store_true", help=_("Plain port upgraded with STARTTLS.")
        )
        mode = imap.add_mutually_exclusive_group()
        mode.add_argument("--idle", action="store_true", help=_("Keep reading; wait with IDLE."))
        mode.add_argument(
            "--poll", type=float, metavar="SECONDS", help=_("Keep reading, every SECONDS.")
        )
        folder = sub.add_parser("folder", help=_("A directory of .eml files."))
        folder.add_argument("path", type=Path)

    def _say(self, tally: Tally) -> None:
        self.stdout.write(
            _(
                "%(message)d new messages, %(follow_up)d follow-ups, %(quarantined)d "
                "quarantined, %(duplicate)d already taken in."
            )
            % asdict(tally)
        )

    def handle(self, *args, **options):
        if options["source"] == "folder":
            if not options["path"].is_dir():
                raise CommandError(_("No folder %(path)s.") % {"path": options["path"]})
            self._say(EmlFolder(options["path"]).run())
            return
        config = ImapSettings.from_settings()
        for name in ("host", "port", "user", "folder", "cafile"):
            if options[name]:
                setattr(config, name, options[name])
        if options["starttls"]:
            config.starttls = True
        if not config.host:
            raise CommandError(_("Set LIUYAN_MAILBOX_HOST or give --host."))
        source = ImapSource(config)
        if not options["idle"] and not options["poll"]:
            self._say(source.run_once())
            return
        for tally in source.run_forever(idle=options["idle"], interval=options["poll"] or 300):
            self._say(tally)
