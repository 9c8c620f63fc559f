"""One archive with everything a liuyan site cannot recreate: database, uploads, trained models.

The archive is a tar file (gzip-compressed when its name ends in .gz or .tgz):

    database.sqlite3   SQLite: a copy made with the online backup API, consistent while the
                       site keeps writing
    database.pgdump    PostgreSQL: `pg_dump -Fc`, taken in the same snapshot as the row counts
    media/...          uploads (MEDIA_ROOT)
    models/...         trained insight models (LIUYAN_MODELS_DIR)
    manifest.json      format, versions, database vendor, rows per table, files per folder

The row counts in the manifest are those of the copy itself (SQLite: counted in the copy;
PostgreSQL: counted in the exported snapshot pg_dump reads), so a restore can compare exactly.
Static files are not included: `collectstatic` makes them again from the code.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

import django
from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PAGES_PER_STEP = 4096  # SQLite copies in steps (32 MiB of 8 kB pages), reporting progress
Say = Callable[[str], None]


def folders() -> dict[str, Path]:
    """The folders of files that belong in a backup, by their name in the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "models": Path(settings.LIUYAN_MODELS_DIR)}


def default_archive_path() -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"liuyan-{stamp}.tar.gz"


# --- backup --------------------------------------------------------------------------------


def create_backup(output: Path, *, using: str = "default", say: Say = print) -> dict:
    """Write the archive to `output` (via a .partial file, so a failed run leaves no archive)."""
    connection = connections[using]
    database_file = DATABASE_FILES.get(connection.vendor)
    if database_file is None:
        raise CommandError(_("Backups support SQLite and PostgreSQL, not %s.") % connection.vendor)
    check_reachable(connection)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as scratch:
        copy = Path(scratch) / database_file
        if connection.vendor == "sqlite":
            counts = copy_sqlite(connection, copy, say)
        else:
            counts = dump_postgresql(connection, copy, say)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "liuyan_version": version("liuyan"),
            "django_version": django.get_version(),
            "database": {"vendor": connection.vendor, "file": database_file, "rows": counts},
            "folders": {},
        }
        with tarfile.open(partial, write_mode(output)) as archive:
            archive.add(copy, arcname=database_file)
            for name, folder in folders().items():
                say(_("Adding %(name)s from %(folder)s…") % {"name": name, "folder": folder})
                manifest["folders"][name] = add_folder(archive, folder, name)
            add_json(archive, MANIFEST, manifest)
    os.replace(partial, output)
    return manifest


def check_reachable(connection) -> None:
    """Say why PostgreSQL cannot be reached: through the pool one only learns it timed out."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    try:
        psycopg.connect(**connection.get_connection_params(), connect_timeout=10).close()
    except psycopg.Error as error:
        raise CommandError(
            _("Cannot connect to the database %(name)s: %(error)s")
            % {"name": connection.settings_dict["NAME"], "error": str(error).strip()}
        ) from error


def write_mode(output: Path) -> Literal["w:gz", "w"]:
    return "w:gz" if output.name.endswith((".gz", ".tgz")) else "w"


def model_tables() -> list[str]:
    """The tables of every model (many-to-many tables included), which the counts cover."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def count_rows(cursor, existing: set[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in model_tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (model names)
            counts[table] = cursor.fetchone()[0]
    return counts


def copy_sqlite(connection, copy: Path, say: Say) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API; count rows in the copy."""
    connection.ensure_connection()
    started = time.monotonic()

    def progress(status, remaining, total):
        say(
            _("Database: %(done)d of %(total)d pages copied")
            % {"done": total - remaining, "total": total}
        )

    with closing(sqlite3.connect(copy)) as target:
        connection.connection.backup(target, pages=PAGES_PER_STEP, progress=progress)
        cursor = target.cursor()
        existing = {
            row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        counts = count_rows(cursor, existing, connection.ops.quote_name)
    say(
        _("Database copied: %(rows)d rows in %(tables)d tables, %(seconds).1f s.")
        % {
            "rows": sum(counts.values()),
            "tables": len(counts),
            "seconds": time.monotonic() - started,
        }
    )
    return counts


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    """What pg_dump and pg_restore need to reach this database; the password stays off argv."""
    _args, secrets = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(secrets or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def run_client(program: str, arguments: list[str], settings_dict: dict) -> None:
    if shutil.which(program) is None:
        raise CommandError(
            _(
                "%(program)s was not found. Install the PostgreSQL client programs of the "
                "server's major version or newer (Debian: apt-get install postgresql-client)."
            )
            % {"program": program}
        )
    result = subprocess.run(
        [program, *arguments],
        env=libpq_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(
            _("%(program)s failed (exit %(code)d):\n%(error)s")
            % {"program": program, "code": result.returncode, "error": result.stderr.strip()}
        )


def dump_postgresql(connection, copy: Path, say: Say) -> dict[str, int]:
    """pg_dump -Fc reading the snapshot of a transaction that counts the rows meanwhile."""
    started = time.monotonic()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = count_rows(
            cursor, set(connection.introspection.table_names(cursor)), connection.ops.quote_name
        )
        say(_("Database: dumping with pg_dump (format custom)…"))
        arguments = ["--format=custom", f"--snapshot={snapshot}", f"--file={copy}"]
        run_client(
            "pg_dump",
            [*arguments, f"--dbname={connection.settings_dict['NAME']}"],
            connection.settings_dict,
        )
    say(
        _("Database dumped: %(rows)d rows in %(tables)d tables, %(size).1f MB, %(seconds).1f s.")
        % {
            "rows": sum(counts.values()),
            "tables": len(counts),
            "size": copy.stat().st_size / 1e6,
            "seconds": time.monotonic() - started,
        }
    )
    return counts


def add_folder(archive: tarfile.TarFile, folder: Path, name: str) -> dict[str, int]:
    """Add every file below `folder` as name/...; files deleted meanwhile are left out."""
    added = {"files": 0, "bytes": 0}
    if not folder.is_dir():
        return added
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        try:
            archive.add(path, arcname=f"{name}/{path.relative_to(folder).as_posix()}")
        except FileNotFoundError:
            continue
        added["files"] += 1
        added["bytes"] += path.stat().st_size
    return added


def add_json(archive: tarfile.TarFile, name: str, content: dict) -> None:
    data = json.dumps(content, indent=2, ensure_ascii=False).encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    with tempfile.SpooledTemporaryFile() as buffer:
        buffer.write(data)
        buffer.seek(0)
        archive.addfile(info, buffer)


# --- restore -------------------------------------------------------------------------------


def restore_backup(
    archive_path: Path, *, force: bool, using: str = "default", say: Say = print
) -> dict:
    """Restore database and folders from the archive, then compare the rows with its manifest.

    Nothing is changed unless the whole archive unpacks, fits this database's vendor, and the
    database and folders are empty (or `force` says to replace them).
    """
    connection = connections[using]
    if not archive_path.is_file():
        raise CommandError(_("No backup archive at %s.") % archive_path)
    scratch_parent = Path(settings.VAR_DIR)
    scratch_parent.mkdir(parents=True, exist_ok=True)
    refuse_to_overwrite(connection, force=force)
    with tempfile.TemporaryDirectory(dir=scratch_parent, prefix=".restore-") as scratch:
        unpacked = Path(scratch)
        say(_("Unpacking %s…") % archive_path)
        try:
            with tarfile.open(archive_path, "r:*") as archive:
                archive.extractall(unpacked, filter="data")
            manifest = json.loads((unpacked / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as error:
            raise CommandError(
                _("%(path)s is not a liuyan backup: %(error)s")
                % {"path": archive_path, "error": error}
            ) from error
        try:
            check_manifest(manifest, connection)
        except (KeyError, TypeError, AttributeError) as error:
            raise CommandError(
                _("The manifest of this archive is incomplete or damaged.")
            ) from error
        database_file = unpacked / manifest["database"]["file"]
        if connection.vendor == "sqlite":
            restore_sqlite(connection, database_file, say)
        else:
            restore_postgresql(connection, database_file, force=force, say=say)
        for name, folder in folders().items():
            replace_folder(unpacked / name, folder)
            say(
                _("Restored %(files)d files into %(folder)s.")
                % {"files": manifest["folders"].get(name, {}).get("files", 0), "folder": folder}
            )
    verify_rows(connection, manifest["database"]["rows"], say)
    pending = pending_migrations(connection)
    if pending:
        say(
            _(
                "%d migrations of this version are not applied to the restored database yet: "
                "run `liuyan migrate`."
            )
            % pending
        )
    return manifest


def check_manifest(manifest: dict, connection) -> None:
    if manifest.get("format") != FORMAT:
        raise CommandError(
            _("This archive has format %(found)s; this version reads format %(known)d.")
            % {"found": manifest.get("format"), "known": FORMAT}
        )
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise CommandError(
            _(
                "The archive holds a %(archived)s database, but DATABASE_URL points at "
                "%(current)s. Restore it into a database of the same kind."
            )
            % {"archived": vendor, "current": connection.vendor}
        )
    database = manifest["database"]
    complete = isinstance(database.get("rows"), dict) and isinstance(manifest.get("folders"), dict)
    # The file name is checked, not trusted: it is joined to the unpacking folder.
    if not complete or database.get("file") != DATABASE_FILES[vendor]:
        raise CommandError(_("The manifest of this archive is incomplete or damaged."))


def refuse_to_overwrite(connection, *, force: bool) -> None:
    """Stop, before any change, if there is something a restore would destroy."""
    name = connection.settings_dict["NAME"]
    check_reachable(connection)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if force:
        return
    if tables:
        raise CommandError(
            _(
                "The database %(name)s is not empty (%(tables)d tables). Restore into a new, empty "
                "database, or pass --force to replace everything in it."
            )
            % {"name": name, "tables": len(tables)}
        )
    for folder in folders().values():
        if any(path.is_file() for path in folder.rglob("*")):
            raise CommandError(
                _(
                    "%s already holds files. Restore into an empty folder, or pass --force to "
                    "replace them."
                )
                % folder
            )
    connection.close()


def restore_sqlite(connection, copy: Path, say: Say) -> None:
    """Write the copy into the configured database file with the online backup API."""
    connection.close()
    target_path = Path(connection.settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)

    def progress(status, remaining, total):
        say(
            _("Database: %(done)d of %(total)d pages restored")
            % {"done": total - remaining, "total": total}
        )

    with (
        closing(sqlite3.connect(copy)) as source,
        closing(sqlite3.connect(target_path, timeout=20)) as target,
    ):
        # A WAL database cannot take another page size; leaving WAL needs the only connection,
        # so this also stops a restore under a running site.
        try:
            mode = target.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError as error:
            mode = str(error)
        if mode != "delete":  # SQLite keeps WAL, without an error, while others have it open
            raise CommandError(
                _("%(path)s is in use (%(mode)s): stop the web and worker processes first.")
                % {"path": target_path, "mode": mode}
            )
        source.backup(target, pages=PAGES_PER_STEP, progress=progress)
        target.execute("PRAGMA journal_mode=WAL")


def restore_postgresql(connection, dump: Path, *, force: bool, say: Say) -> None:
    name = connection.settings_dict["NAME"]
    if force:
        say(_("Emptying database %s (--force)…") % name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = connection.ops.quote_name(cursor.fetchone()[0])
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
    connection.close()
    if getattr(connection, "pool", None) is not None:
        connection.close_pool()
    say(_("Database: restoring with pg_restore into %s…") % name)
    started = time.monotonic()
    run_client(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ],
        connection.settings_dict,
    )
    say(_("Database restored in %(seconds).1f s.") % {"seconds": time.monotonic() - started})


def replace_folder(unpacked: Path, folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    if unpacked.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(unpacked, folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)


def verify_rows(connection, expected: dict[str, int], say: Say) -> None:
    with connection.cursor() as cursor:
        found = count_rows(
            cursor, set(connection.introspection.table_names(cursor)), connection.ops.quote_name
        )
    differ = {
        table: (rows, found.get(table))
        for table, rows in expected.items()
        if found.get(table) != rows
    }
    if differ:
        lines = "\n".join(
            f"  {table}: {rows} in the archive, {now} restored"
            for table, (rows, now) in sorted(differ.items())
        )
        raise CommandError(_("The restored database differs from the archive:\n%s") % lines)
    say(
        _("Verified: %(rows)d rows in %(tables)d tables, as in the archive.")
        % {"rows": sum(expected.values()), "tables": len(expected)}
    )


def pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
