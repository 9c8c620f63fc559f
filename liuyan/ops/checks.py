"""What must be true before a web process serves its first page, as registered system checks.

`liuyan check --deploy` reports them next to Django's own deployment checks, and liuyan.wsgi
runs the ones tagged SERVING when a web process starts (see `stop_unless_ready_to_serve`): a
production start without `collectstatic` then stops with this message instead of answering
every page that links a stylesheet with a 500 ("Missing staticfiles manifest entry").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.apps import StaticFilesConfig
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.module_loading import import_string

SERVING = "liuyan_serving"
COLLECT_HINT = (
    "Run `liuyan collectstatic --noinput` (make serve-prod and `liuyan serve-prod` do) with the "
    "same LIUYAN_VAR_DIR as the web processes, or set LIUYAN_DEBUG=1 for local development."
)
EXAMPLES_SHOWN = 3


@checks.register(SERVING, deploy=True)
def check_static_manifest(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The manifest that hashed static names come from exists and lists every static file."""
    # django-stubs types `backends` as Storage objects; it is settings.STORAGES, plain dicts.
    backends = cast(dict[str, dict[str, Any]], storages.backends)
    storage_class = import_string(backends["staticfiles"]["BACKEND"])
    if not issubclass(storage_class, ManifestFilesMixin):
        return []  # development storage: files are served by their plain names
    try:
        # Reads the manifest, and fails if it is no JSON. An instance of storage_class, which
        # the test above found to be a ManifestFilesMixin; the handler is typed as Storage.
        storage = cast(ManifestFilesMixin, storages["staticfiles"])
    except ValueError:
        return [unreadable_manifest(Path(settings.STATIC_ROOT) / storage_class.manifest_name)]
    manifest_storage = storage.manifest_storage
    assert manifest_storage is not None, "ManifestFilesMixin.__init__ sets it (to itself)"
    where = manifest_storage.path(storage.manifest_name)
    content = storage.read_manifest()
    if content is None:
        return [
            checks.Error(
                f"The static files manifest {where} is missing: with DEBUG off every page "
                "would answer 500.",
                hint=COLLECT_HINT,
                id="liuyan.ops.E001",
            )
        ]
    try:
        listed = set(json.loads(content)["paths"])
    except (ValueError, KeyError, TypeError):
        return [unreadable_manifest(where)]
    missing = sorted(set(static_files_in_code()) - listed)
    if missing:
        return [
            checks.Error(
                f"The static files manifest {where} lacks {len(missing)} files of this version "
                f"(e.g. {', '.join(missing[:EXAMPLES_SHOWN])}): pages using them would answer "
                "500. It was written by an older collectstatic.",
                hint=COLLECT_HINT,
                id="liuyan.ops.E003",
            )
        ]
    return []


@checks.register(SERVING, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A web process never starts without LIUYAN_SECRET_KEY.

    Settings refuse to load without it, except for the commands that need no secret (see
    liuyan/__main__.py); this stops a web process that was started with their exemption anyway.
    """
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # what Django raises for an empty one
        key = ""
    if not key:
        return [
            checks.Error(
                "LIUYAN_SECRET_KEY is not set: sessions, sign-in and personal data need it.",
                hint="Set LIUYAN_SECRET_KEY to a long random string (and LIUYAN_FIELD_KEY).",
                id="liuyan.ops.E004",
            )
        ]
    return []


def unreadable_manifest(where: object) -> checks.Error:
    return checks.Error(
        f"The static files manifest {where} cannot be read.",
        hint=COLLECT_HINT,
        id="liuyan.ops.E002",
    )


def static_files_in_code() -> list[str]:
    """Every path collectstatic would collect, with the same ignore patterns it uses."""
    # get_app_config is typed as the AppConfig base; this one is staticfiles' own config class.
    config = cast(StaticFilesConfig, apps.get_app_config("staticfiles"))
    ignore = config.ignore_patterns
    return [path for finder in finders.get_finders() for path, _storage in finder.list(ignore)]


def stop_unless_ready_to_serve() -> None:
    """Raise ImproperlyConfigured, naming every problem, if this process could only answer 500s.

    Called once when liuyan.wsgi is imported, i.e. when a gunicorn worker boots, so gunicorn
    stops with "Worker failed to boot" and this message in its log.
    """
    problems = [
        message
        for message in checks.run_checks(tags=[SERVING], include_deployment_checks=True)
        if message.is_serious()
    ]
    if problems:
        raise ImproperlyConfigured(
            "liuyan cannot serve pages:\n" + "\n".join(str(problem) for problem in problems)
        )
