"""PostgreSQL connections are bounded: psycopg's pool through OPTIONS["pool"], per process."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.test_settings import run_django

from .servers import ROOT

PG_URL = "postgres://u@db.example:5432/liuyan"
SHOW_DATABASE = (
    "from django.conf import settings as s; d = s.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'))"
)


def test_postgresql_gets_a_bounded_pool_and_no_persistent_connections():
    result = run_django({"LIUYAN_DEBUG": "1", "DATABASE_URL": PG_URL}, SHOW_DATABASE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 {'min_size': 1, 'max_size': 4, 'timeout': 10.0}"


def test_pool_sizes_come_from_the_environment():
    env = {
        "LIUYAN_DEBUG": "1",
        "DATABASE_URL": PG_URL,
        "LIUYAN_DB_POOL_MIN_SIZE": "2",
        "LIUYAN_DB_POOL_MAX_SIZE": "8",
        "LIUYAN_DB_POOL_TIMEOUT": "3",
    }
    result = run_django(env, SHOW_DATABASE)
    assert result.stdout.strip() == "0 {'min_size': 2, 'max_size': 8, 'timeout': 3.0}"


def test_the_pool_can_be_turned_off_for_persistent_connections():
    env = {"LIUYAN_DEBUG": "1", "DATABASE_URL": PG_URL, "LIUYAN_DB_POOL": "0"}
    assert run_django(env, SHOW_DATABASE).stdout.strip() == "60 None"


def test_persistent_connections_with_the_pool_are_refused_with_a_clear_error():
    env = {"LIUYAN_DEBUG": "1", "DATABASE_URL": PG_URL, "LIUYAN_CONN_MAX_AGE": "60"}
    result = run_django(env, "pass")
    assert result.returncode != 0
    assert "LIUYAN_CONN_MAX_AGE must be 0" in result.stderr


# Twelve threads each hold a connection for 0.3 s through a pool of at most two.
CROWD = """
import threading, time
import django
django.setup()
from django.db import connection

pids, lock = set(), threading.Lock()

def request():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.3)")
        with lock:
            pids.add(cursor.fetchone()[0])
    connection.close()  # what Django does at the end of each request: back to the pool

started = time.monotonic()
threads = [threading.Thread(target=request) for _ in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
stats = connection.pool.get_stats()
print(len(pids), stats["pool_max"], stats.get("requests_queued", 0), time.monotonic() - started)
"""


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_pool_is_active_and_never_opens_more_than_max_size():
    assert connection.pool is not None  # the test database itself goes through the pool
    assert connection.pool.max_size == connection.settings_dict["OPTIONS"]["pool"]["max_size"]

    test_db = connection.settings_dict
    url = f"postgres://{test_db['USER']}@{test_db['HOST']}:{test_db['PORT']}/{test_db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUYAN_DB_POOL")}
    env.update(
        DATABASE_URL=url,
        LIUYAN_DEBUG="1",
        LIUYAN_DB_POOL_MAX_SIZE="2",
        DJANGO_SETTINGS_MODULE="liuyan.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", CROWD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    distinct, pool_max, queued, seconds = result.stdout.split()
    assert int(pool_max) == 2
    assert int(distinct) <= 2  # twelve concurrent users, never more than two server processes
    assert int(queued) > 0  # the others waited for a free connection ...
    assert float(seconds) >= 12 / 2 * 0.3 - 0.1  # ... so the work was done two at a time
