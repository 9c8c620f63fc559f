"""A production start without collected static files stops with a clear message (no 500s)."""

import json
import subprocess

import pytest
from django.core import checks

from liuyan.ops.checks import SERVING, check_static_manifest

from .servers import GUNICORN, LIUYAN, ROOT, free_port, production_env

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = MANIFEST_STORAGE
    return tmp_path / "static" / "staticfiles.json"


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_check_is_registered_for_deploy_and_start_up():
    registered = checks.registry.registry.get_checks(include_deployment_checks=True)
    assert check_static_manifest in registered
    assert SERVING in check_static_manifest.tags


def test_a_missing_manifest_is_an_error_naming_the_file_and_the_fix(manifest_storage):
    [error] = check_static_manifest()
    assert error.id == "liuyan.ops.E001"
    assert error.level == checks.ERROR
    assert str(manifest_storage) in error.msg
    assert "collectstatic" in error.hint


def test_a_manifest_from_an_older_version_is_an_error(manifest_storage):
    manifest_storage.parent.mkdir(parents=True)
    manifest_storage.write_text(json.dumps({"version": "1.1", "paths": {"css/site.css": "x"}}))
    [error] = check_static_manifest()
    assert error.id == "liuyan.ops.E003"
    assert "vendor/" in error.msg or "admin/" in error.msg  # names examples of what is missing


def test_an_unreadable_manifest_is_an_error(manifest_storage):
    manifest_storage.parent.mkdir(parents=True)
    manifest_storage.write_text("not json")
    assert ids(check_static_manifest()) == ["liuyan.ops.E002"]


def test_development_storage_needs_no_manifest(settings):
    settings.STORAGES = {
        **MANIFEST_STORAGE,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    assert check_static_manifest() == []


def test_check_deploy_fails_without_collectstatic(tmp_path):
    result = subprocess.run(
        [*LIUYAN, "check", "--deploy"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "liuyan.ops.E001" in result.stderr


@pytest.mark.slow
def test_gunicorn_refuses_to_start_without_the_manifest(tmp_path):
    """Before the check, every worker booted and each page answered 500."""
    port = free_port()
    result = subprocess.run(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "liuyan.wsgi"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3  # gunicorn's "worker failed to boot"
    assert "liuyan cannot serve pages" in result.stderr
    assert "staticfiles.json is missing" in result.stderr
