"""A load test on a SQLite file, the way `liuyan demo-data --messages N` runs one for N in the
tens of thousands: forked workers, chunk databases copied in, indexes and the full-text index
built along the way, the rollback journal for the load and WAL again afterwards.

It runs in a subprocess on a database file of its own, because the suite's SQLite database
lives in memory (no journal to switch) and the load commits."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, re, sys, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from liuyan.board import search
    from liuyan.demo import generate, parallel, world
    from liuyan.board.access import PUBLIC_STATES
    from liuyan.board.models import Event, Message, Reply

    call_command("migrate", verbosity=0)
    world.ensure_reference_data()
    world.ensure_world(seed=3)

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger')"
            )
            return sorted(map(list, cursor.fetchall()))

    before = schema()
    generate.BIG_LOAD = 1000  # the big-load path, on a scale a test can afford
    parallel.CHUNK = 150  # several chunks per worker
    simulate = parallel.simulate

    def slow_after_the_first_chunks(job):
        # The forked workers call this: the writer is sure to reach the last chunks before
        # they are done, and builds the indexes meanwhile (rows after that meet live indexes).
        if job.index >= 2:
            time.sleep(0.4)
        return simulate(job)

    parallel.simulate = slow_after_the_first_chunks
    stages = []
    outcome = generate.generate_messages(1200, seed=3, processes=2, stage=stages.append)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        # As stored (Django's cursor would turn them into datetimes), and of which type.
        cursor.execute(
            "SELECT typeof(submitted_at) || ':' || submitted_at,"
            " typeof(screen_by) || ':' || screen_by, typeof(updated_at) || ':' || updated_at"
            " FROM board_message"
        )
        stamps = [value for row in cursor.fetchall() for value in row if value is not None]
        cursor.execute("SELECT typeof(at) || ':' || at FROM board_event")
        stamps += [value for (value,) in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM " + search.FTS_TABLE)
        indexed = cursor.fetchone()[0]
        cursor.execute(f"SELECT v FROM {search.FTS_TABLE}_config WHERE k = 'hashsize'")
        fts_hash_size = cursor.fetchone()[0]
        # Contact details are encrypted at rest on the bulk path too, with their look-up hash.
        cursor.execute("SELECT name, phone, phone_hash FROM board_messagecontact")
        contacts = cursor.fetchall()
        clear_contacts = sum(
            1 for name, phone, digest in contacts
            if (phone and not phone.startswith("gAAAAA"))
            or (name and not name.startswith("gAAAAA"))
            or (phone and not digest)
        )
    django_format = re.compile(r"^text:\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?$")
    public = Message.objects.filter(is_public=True, state__in=PUBLIC_STATES).order_by("pk")
    sample = public[len(public) // 2]
    hits = search.search_public(sample.public_title, limit=50).hits
    replies = {
        reply.message_id: reply.body
        for reply in Reply.objects.filter(state="published").order_by("round")
    }
    unlike_the_service = [
        message.serial
        for message in public[:300]
        if message.search_text != search.search_text_for(message, replies.get(message.pk, ""))
    ]
    print(json.dumps({
        "messages": Message.objects.count(),
        "outcome": outcome.messages,
        "serials": Message.objects.values("serial").distinct().count(),
        "events": Event.objects.count(),
        "event_rows": outcome.rows["Event"],
        "journal": journal,
        "schema_kept": schema() == before,
        "stages": stages,
        "analyzed": connection.cursor().execute(
            "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'board_message'"
        ).fetchone()[0] > 0,
        "fts_hash_size": fts_hash_size,
        "bad_stamps": [s for s in stamps if not django_format.match(s)][:5],
        "whole_seconds": sum(1 for s in stamps if "." not in s) / len(stamps),
        "indexed": indexed,
        "should_be_indexed": search.rebuild_sqlite_index(),
        "sample_found": any(hit.message.pk == sample.pk for hit in hits),
        "search_text_unlike_the_service": unlike_the_service[:5],
        "contacts": len(contacts),
        "clear_contacts": clear_contacts,
    }))
    """
)


@pytest.mark.django_db
def test_a_big_sqlite_load_writes_consistent_rows_and_restores_the_schema(tmp_path):
    from django.db import connection

    from liuyan.demo import parallel

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite load test; the SQLite run of the suite covers it")
    if not parallel.can_fork():
        pytest.skip("needs fork and more than one CPU")
    env = {
        **os.environ,
        "LIUYAN_DEBUG": "1",
        "LIUYAN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'load.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "liuyan.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["messages"] == facts["outcome"] == facts["serials"] == 1200
    assert facts["events"] == facts["event_rows"] > 1200 * 3
    assert facts["journal"] == "wal"  # back to WAL after the load's rollback journal
    assert facts["schema_kept"]  # every index and trigger dropped for the load is back
    # ... built while the workers simulated the last chunks, not after them
    assert facts["stages"] == [
        "building indexes",
        "",
        "committing",
        "updating the planner's statistics",
    ]
    assert facts["analyzed"]  # ANALYZE after the load: the planner knows the new sizes
    assert facts["fts_hash_size"] == 2**20  # the full-text index's usual setting again
    assert facts["bad_stamps"] == []  # times stored exactly as Django writes them
    assert facts["whole_seconds"] > 0.5  # most went the cheap epoch-seconds way
    # The chunks were indexed as they came in: a full rebuild finds nothing more to add.
    assert facts["indexed"] == facts["should_be_indexed"] > 0
    assert facts["sample_found"]  # and search finds a message by its title
    # What the load indexed is what board.services would have indexed.
    assert facts["search_text_unlike_the_service"] == []
    assert facts["contacts"] > 0 and facts["clear_contacts"] == 0  # encrypted at rest


@pytest.mark.django_db(transaction=True)
def test_a_big_postgresql_load_copies_rows_in_and_rebuilds_every_index():
    """On PostgreSQL the workers hand over COPY text and the indexes are dropped for the load
    and built again: the rows must come out as the executemany path wrote them (times, escapes,
    encrypted contacts, the generated search column) and every index must be back."""
    from django.db import connection

    from liuyan.board import search
    from liuyan.board.access import PUBLIC_STATES
    from liuyan.board.models import Event, Message, MessageContact
    from liuyan.demo import generate, parallel, world

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL load; the SQLite one is above")
    if not parallel.can_fork():
        pytest.skip("needs fork and more than one CPU")

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            )
            # An index made by a migration is printed by PostgreSQL in its own words (options
            # and predicate normalised); built again from that text it may print otherwise. The
            # index is the same: compare names, tables, methods and columns.
            return sorted((name, re.sub(r" (WITH|WHERE) .*$", "", sql)) for name, sql in cursor)

    def foreign_keys():
        # The load drops them and adds them again from their definitions.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),"
                " convalidated FROM pg_constraint WHERE contype = 'f'"
            )
            return sorted(cursor.fetchall())

    world.ensure_reference_data()
    world.ensure_world(seed=3)
    before = indexes()
    keys_before = foreign_keys()
    assert any("board_event" in row[0] for row in keys_before)
    big, chunk = generate.BIG_LOAD, parallel.CHUNK
    generate.BIG_LOAD, parallel.CHUNK = 500, 150
    try:
        outcome = generate.generate_messages(600, seed=3, processes=2)
    finally:
        generate.BIG_LOAD, parallel.CHUNK = big, chunk
    assert indexes() == before
    assert foreign_keys() == keys_before
    assert Message.objects.count() == outcome.messages == 600
    assert Event.objects.count() == outcome.rows["Event"]
    assert Message.objects.values("serial").distinct().count() == 600
    contacts = list(MessageContact.objects.values_list("phone", "phone_hash"))
    assert any(phone for phone, _ in contacts)
    assert all(digest for phone, digest in contacts if phone)  # decrypted when read back
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM board_messagecontact WHERE phone <> ''")
        assert all(value.startswith("gAAAAA") for (value,) in cursor.fetchall())  # at rest
        cursor.execute("SELECT count(*) FROM board_message WHERE search_vector IS NULL")
        assert cursor.fetchone()[0] == 0
    public = Message.objects.filter(is_public=True, state__in=PUBLIC_STATES).order_by("pk")
    sample = public[len(public) // 2]
    assert any(
        hit.message.pk == sample.pk for hit in search.search_public(sample.public_title).hits
    )
    assert sample.body and "\\n" not in sample.body  # escapes read back as what they were
