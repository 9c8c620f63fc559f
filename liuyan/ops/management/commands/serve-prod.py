"""`liuyan serve-prod`: prepare this checkout for production and start gunicorn.

Steps: collectstatic, the deployment checks (Django's and ours, see liuyan/ops/checks.py),
migrate, then gunicorn replaces this process (same PID, so systemd and signals reach its master).
"""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from liuyan import gunicorn_conf

GUNICORN_CONF = Path(gunicorn_conf.__file__)


class Command(BaseCommand):
    help = _(
        "Collect static files, run the deployment checks, migrate, then start gunicorn with "
        "WEB_CONCURRENCY workers on LIUYAN_BIND (the production server)."
    )
    # collectstatic must run before the check that the static manifest exists.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", help=_("Address to listen on (default: LIUYAN_BIND)."))
        parser.add_argument(
            "--workers", type=int, help=_("Number of workers (default: WEB_CONCURRENCY).")
        )
        parser.add_argument(
            "--skip-migrate",
            action="store_true",
            help=_("Do not migrate (another host or a deploy step does it)."),
        )
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help=_("Stop after the checks and migrations; then reload the running server."),
        )

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError(
                _(
                    "serve-prod is the production server, but LIUYAN_DEBUG is on. Unset it (or "
                    "set LIUYAN_DEBUG=0) and set LIUYAN_SECRET_KEY and LIUYAN_ALLOWED_HOSTS."
                )
            )
        self.step(_("Collecting static files into %(dir)s…") % {"dir": settings.STATIC_ROOT})
        call_command("collectstatic", interactive=False, verbosity=0)
        self.step(_("Checking the settings (check --deploy)…"))
        call_command("check", deploy=True, fail_level="ERROR")
        if not options["skip_migrate"]:
            self.step(_("Applying database migrations…"))
            call_command("migrate", interactive=False, verbosity=1)
        close_database_connections()
        if options["prepare_only"]:
            self.step(_("Ready: static files collected, settings checked, database migrated."))
            return
        self.exec_gunicorn(bind=options["bind"], workers=options["workers"])

    def step(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(text))
        self.stdout.flush()

    def exec_gunicorn(self, *, bind: str | None, workers: int | None) -> None:
        argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
        if bind:
            argv += ["--bind", bind]
        if workers:
            argv += ["--workers", str(workers)]
        argv.append("liuyan.wsgi")
        self.step(
            _("Starting gunicorn: %(workers)d workers on %(bind)s (config %(conf)s)…")
            % {
                "workers": workers or gunicorn_conf.workers,
                "bind": bind or ",".join(gunicorn_conf.bind),
                "conf": GUNICORN_CONF,
            }
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (fixed argv, no shell)


def close_database_connections() -> None:
    """Close connections and pools before exec: gunicorn's workers open their own."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        if getattr(connection, "pool", None) is not None:
            # Only PostgreSQL's wrapper has a pool and close_pool() (Django 5.1), which
            # django-stubs 5.2.9 does not declare.
            connection.close_pool()  # type: ignore[attr-defined]
