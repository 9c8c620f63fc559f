"""Settings come from the environment with safe production defaults."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_django(env_overrides: dict, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIUYAN_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "liuyan.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_refuses_to_start_with_a_clear_error():
    result = run_django({}, "pass")
    assert result.returncode != 0
    assert "LIUYAN_SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():
    result = run_django(
        {"LIUYAN_SECRET_KEY": "x" * 50, "LIUYAN_ALLOWED_HOSTS": "liuyan.example.org"},
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.ALLOWED_HOSTS, s.TIME_ZONE, s.LANGUAGE_CODE, s.USE_TZ)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "['liuyan.example.org']",
        "Asia/Shanghai",
        "zh-hans",
        "True",
    ]


def test_database_url_selects_postgresql():
    result = run_django(
        {"LIUYAN_DEBUG": "1", "DATABASE_URL": "postgres://u@db.example:5432/liuyan"},
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['NAME'], d['TEST']['CHARSET'])",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "liuyan",
        "UTF8",
    ]


def test_default_database_is_sqlite_under_var(tmp_path):
    result = run_django(
        {"LIUYAN_DEBUG": "1", "LIUYAN_VAR_DIR": str(tmp_path)},
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
    )
    assert result.stdout.strip() == str(tmp_path / "liuyan.sqlite3")


def test_a_new_sqlite_database_gets_8k_pages_and_wal(tmp_path):
    database = tmp_path / "new.sqlite3"
    result = run_django(
        {"LIUYAN_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"},
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('CREATE TABLE t (x)'); c.execute('PRAGMA page_size'); "
        "size = c.fetchone()[0]; c.execute('PRAGMA journal_mode'); print(size, c.fetchone()[0])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["8192", "wal"]


def test_the_model_checks_warn_of_nothing_on_either_database(db):
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite's warning about them was printed by
    # every `liuyan migrate` of a laptop install.
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("check", tags=["models"], databases=["default"], stdout=out, stderr=out)
    assert "System check identified no issues" in out.getvalue()
