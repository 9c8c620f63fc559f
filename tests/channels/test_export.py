"""Export: CSV, XLSX and JSON Lines with replies and timelines, from the desk (only the staff
member's remit) and from `liuyan export`."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from liuyan.board import services
from liuyan.board.models import Message
from liuyan.channels import export
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(world):
    message = submit(world, title="城区路灯不亮的问题")
    assignment = dispatch(world, message, world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    reply = services.submit_reply(assignment_id=assignment.pk, actor=world.handler, body=REPLY)
    services.approve_reply(reply_id=reply.pk, actor=world.moderator)
    return message


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_jsonl_export_carries_replies_and_timeline(world, replied):
    other = submit(world, board=world.other_board, title="其他城市的一条留言")
    lines = b"".join(export.pieces("jsonl", Message.objects.all())).decode().splitlines()
    records = {json.loads(line)["serial"]: json.loads(line) for line in lines}
    record = records[replied.serial]
    assert (
        record["replies"][0]["body"] == REPLY and record["replies"][0]["unit"] == world.bureau.name
    )
    assert [e["action"] for e in record["timeline"]][:3] == ["submit", "screen", "dispatch"]
    assert record["timeline"][-1]["action"] == "approve_reply"
    assert other.serial in records


def test_export_reads_in_chunks_by_keyset(world, replied, django_assert_max_num_queries):
    for i in range(4):
        submit(world, title=f"第{i}条关于路灯的留言")
    # 5 messages in chunks of 2: 3 chunks of 3 queries (messages, replies, events) + 1 empty.
    with django_assert_max_num_queries(12):
        found = [r["serial"] for r in export.records(Message.objects.all(), chunk=2)]
    assert found == sorted(found) and len(found) == 5


def test_desk_export_streams_only_the_remit(client, world, replied):
    other = submit(world, board=world.other_board, title="其他城市的一条留言")
    dispatch(world, other, world.other_unit)
    client.force_login(world.handler)  # a handler of the bureau: sees its assignments only
    response = client.get(reverse("desk:export"), {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    text = body_of(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "留言编号"
    serials = [row[0] for row in rows[1:]]
    assert serials == [replied.serial]
    assert "13912345678" in text  # staff may read the original text of their own remit ...
    assert other.serial not in text  # ... and nothing else


def test_desk_export_xlsx_and_filters(client, world, replied):
    submit(world, title="还在筛查的一条留言")
    client.force_login(world.moderator)
    response = client.get(reverse("desk:export"), {"format": "xlsx", "state": "replied"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body_of(response)), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [replied.serial]


def test_desk_export_refuses_citizens_and_bad_input(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("desk:export"), {"format": "csv"}).status_code in (302, 403)
    client.force_login(world.moderator)
    response = client.get(reverse("desk:export"), {"format": "pdf", "since": "昨天"})
    assert response.status_code == 200 and not response.streaming  # the form with its errors


def test_export_command_writes_a_file(world, replied, tmp_path):
    path = tmp_path / "out.csv"
    call_command("export", "--format", "csv", "--output", str(path), "--state", "replied")
    text = path.read_text(encoding="utf-8-sig")
    assert replied.serial in text and REPLY in text


def test_export_keeps_no_growing_query_log_with_debug_on(world, replied, settings):
    """With DEBUG on Django logs every query's SQL; a million-row export made 1,500 of them,
    two a chunk with 2,000 ids each, so its memory grew with the rows. The log is cleared per
    chunk: after the export it holds at most one chunk's queries."""
    from django.db import connection, reset_queries

    for i in range(4):
        submit(world, title=f"第{i}条关于路灯的留言")
    settings.DEBUG = True
    reset_queries()
    found = list(export.records(Message.objects.all(), chunk=1))
    assert len(found) == 5
    assert len(connection.queries) <= 3


def test_xlsx_goes_on_in_new_sheets_past_a_sheets_rows_and_cuts_what_a_cell_cannot_hold(
    monkeypatch,
):
    from liuyan.web import tables

    monkeypatch.setattr(tables, "SHEET_ROWS", 4)  # Excel's is 1,048,576: header + 3 rows here
    long_text = "长" * (tables.CELL_CHARS + 10)
    rows = [[n, "x"] for n in range(1, 8)] + [[8, long_text]]
    book = load_workbook(io.BytesIO(b"".join(tables.xlsx_pieces("留言", ["编号", "内容"], rows))))
    assert book.sheetnames == ["留言", "留言 2", "留言 3"]
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    assert [len(rows) for rows in sheets] == [4, 4, 3]
    assert all(rows[0] == ("编号", "内容") for rows in sheets)
    assert [row[0] for rows in sheets for row in rows[1:]] == list(range(1, 9))
    cut = sheets[2][-1][1]
    assert len(cut) == tables.CELL_CHARS and cut.startswith("长" * 100)
    assert "CSV" in cut[-60:]  # says where the whole text is
    # No rows at all: one sheet with the headers.
    empty = load_workbook(io.BytesIO(b"".join(tables.xlsx_pieces("留言", ["编号"], []))))
    assert [list(s.iter_rows(values_only=True)) for s in empty.worksheets] == [[("编号",)]]
