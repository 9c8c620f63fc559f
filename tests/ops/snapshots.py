"""What a restore must bring back, described the same way in the test and in a subprocess."""

import json
import subprocess
import sys

from .servers import LIUYAN, ROOT


def describe(message_id: int) -> dict:
    """Rows in every model table and one message's timeline, as plain JSON values."""
    from django.db import connection

    from liuyan.board.models import Event
    from liuyan.ops.backup import count_rows

    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        rows = count_rows(cursor, existing, connection.ops.quote_name)
    timeline = [
        [e.seq, e.action, e.from_state, e.to_state, e.actor_id, e.at.isoformat(), e.note]
        for e in Event.objects.filter(message_id=message_id).order_by("seq")
    ]
    return {"rows": rows, "timeline": timeline}


def describe_in_subprocess(env: dict, message_id: int) -> dict:
    code = (
        "import django, json; django.setup(); from tests.ops.snapshots import describe; "
        f"print(json.dumps(describe({message_id})))"
    )
    result = run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def liuyan(env: dict, *arguments: str) -> subprocess.CompletedProcess:
    return run([*LIUYAN, *arguments], env)


def run(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    env = {**env, "DJANGO_SETTINGS_MODULE": "liuyan.settings"}
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
