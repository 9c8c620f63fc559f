"""`liuyan backup` then `liuyan restore` into a fresh database brings everything back."""

import json
import os
import subprocess
import tarfile

import pytest
from django.core.management import call_command
from django.db import connection

from tests.notifications import steps

from .servers import said
from .snapshots import describe, describe_in_subprocess, liuyan

UPLOAD = "attachments/2026/03/photo.jpg"
MODEL = "classifier-v1.npz"
VERIFIED = "Verified: %(rows)d rows in %(tables)d tables, as in the archive."
NOT_EMPTY = (
    "The database %(name)s is not empty (%(tables)d tables). Restore into a new, empty "
    "database, or pass --force to replace everything in it."
)
OTHER_VENDOR = (
    "The archive holds a %(archived)s database, but DATABASE_URL points at "
    "%(current)s. Restore it into a database of the same kind."
)


@pytest.fixture
def site_files(settings, tmp_path):
    """An upload and a trained model where the settings put them."""
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.LIUYAN_MODELS_DIR = tmp_path / "site" / "models"
    (settings.MEDIA_ROOT / UPLOAD).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / UPLOAD).write_bytes(b"\xff\xd8 not really a photo")
    settings.LIUYAN_MODELS_DIR.mkdir(parents=True)
    (settings.LIUYAN_MODELS_DIR / MODEL).write_bytes(b"weights")
    return settings


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIUYAN_", "DATABASE_URL"))}
    return {**env, "LIUYAN_DEBUG": "1", **extra}


def back_up(world, tmp_path, capsys) -> tuple:
    message = steps.replied(world)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    printed = capsys.readouterr().out
    assert (
        said("Backup written to %(path)s: %(rows)d rows, %(files)d files, %(size).1f MB.")
        in printed
    )
    return message, archive, describe(message.pk)


def assert_restored(env, var_dir, message, before, result):
    assert result.returncode == 0, result.stdout + result.stderr
    assert said(VERIFIED) in result.stdout
    after = describe_in_subprocess(env, message.pk)
    assert after["rows"] == before["rows"]
    assert before["rows"]["board_message"] == 1 and before["rows"]["board_event"] >= 4
    assert after["timeline"] == before["timeline"]
    assert (var_dir / "media" / UPLOAD).read_bytes() == b"\xff\xd8 not really a photo"
    assert (var_dir / "models" / MODEL).read_bytes() == b"weights"


def test_the_archive_holds_database_files_and_a_manifest(
    transactional_db, world, site_files, tmp_path, capsys
):
    _message, archive, before = back_up(world, tmp_path, capsys)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {"manifest.json", f"media/{UPLOAD}", f"models/{MODEL}"} <= names
    assert manifest["database"]["file"] in names
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["rows"] == before["rows"]
    assert manifest["folders"]["media"]["files"] == 1
    assert manifest["liuyan_version"]


@pytest.mark.slow
def test_sqlite_backup_restores_into_a_fresh_database(
    transactional_db, world, site_files, tmp_path, capsys
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path")
    message, archive, before = back_up(world, tmp_path, capsys)
    var_dir = tmp_path / "restored"
    env = clean_env(LIUYAN_VAR_DIR=str(var_dir))

    result = liuyan(env, "restore", str(archive))
    assert_restored(env, var_dir, message, before, result)

    again = liuyan(env, "restore", str(archive))
    assert again.returncode != 0
    assert said(NOT_EMPTY) in again.stderr and "--force" in again.stderr

    forced = liuyan(env, "restore", str(archive), "--force")
    assert_restored(env, var_dir, message, before, forced)


def test_restore_refuses_an_archive_of_another_database_vendor(tmp_path):
    archive = tmp_path / "other.tar"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": 1, "database": {"vendor": "oracle", "file": "x"}}))
    with tarfile.open(archive, "w") as tar:
        tar.add(manifest, arcname="manifest.json")
    result = liuyan(clean_env(LIUYAN_VAR_DIR=str(tmp_path / "var")), "restore", str(archive))
    assert result.returncode != 0
    assert "oracle" in result.stderr and said(OTHER_VENDOR) in result.stderr


def test_restore_says_clearly_when_the_file_is_no_backup(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"nothing")
    result = liuyan(clean_env(LIUYAN_VAR_DIR=str(tmp_path / "var")), "restore", str(junk))
    assert result.returncode != 0
    assert said("%(path)s is not a liuyan backup: %(error)s") in result.stderr


@pytest.fixture
def fresh_postgres_database():
    """An empty database beside the test database, dropped afterwards."""
    source = connection.settings_dict
    name = f"{source['NAME']}_restored"
    where = [
        "-h",
        source["HOST"] or "127.0.0.1",
        "-p",
        str(source["PORT"] or 5432),
        "-U",
        source["USER"],
    ]
    subprocess.run(["dropdb", *where, "--if-exists", "--force", name], check=True)
    subprocess.run(
        [
            "createdb",
            *where,
            "-T",
            "template0",
            "-E",
            "UTF8",
            "--lc-collate=C.UTF-8",
            "--lc-ctype=C.UTF-8",
            name,
        ],
        check=True,
    )
    yield f"postgres://{source['USER']}@{where[1]}:{where[3]}/{name}"
    subprocess.run(["dropdb", *where, "--if-exists", "--force", name], check=True)


@pytest.mark.postgres
def test_postgresql_backup_restores_into_a_fresh_database(
    transactional_db, world, site_files, tmp_path, capsys, fresh_postgres_database
):
    message, archive, before = back_up(world, tmp_path, capsys)
    var_dir = tmp_path / "restored"
    env = clean_env(LIUYAN_VAR_DIR=str(var_dir), DATABASE_URL=fresh_postgres_database)

    result = liuyan(env, "restore", str(archive))
    assert_restored(env, var_dir, message, before, result)

    again = liuyan(env, "restore", str(archive))
    assert again.returncode != 0
    assert said(NOT_EMPTY) in again.stderr

    forced = liuyan(env, "restore", str(archive), "--force")
    assert_restored(env, var_dir, message, before, forced)


def test_restore_refuses_a_manifest_naming_a_file_outside_the_archive(tmp_path):
    manifest = {
        "format": 1,
        "database": {"vendor": "sqlite", "file": "../../elsewhere", "rows": {}},  # as clean_env
        "folders": {},
    }
    archive = tmp_path / "odd.tar"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(archive, "w") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
    result = liuyan(clean_env(LIUYAN_VAR_DIR=str(tmp_path / "var")), "restore", str(archive))
    assert result.returncode != 0
    assert said("The manifest of this archive is incomplete or damaged.") in result.stderr
