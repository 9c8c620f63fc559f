"""Bulk import: rows become messages with replies and timelines at their own times, a second run
adds nothing, bad rows are reported by line while the rest goes on."""

import csv
import time
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from liuyan.board import access, serials
from liuyan.board.models import Event, Message, Reply
from liuyan.channels import importer
from liuyan.channels.models import ImportedMessage
from liuyan.core import lifecycle
from liuyan.directory.models import Domain
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The commands' reports are read here in English (the site itself speaks Chinese)."""
    with translation.override("en"):
        yield


HEADER = [
    "留言编号",
    "留言用户",
    "留言主题",
    "留言时间",
    "留言详情",
    "答复意见",
    "答复时间",
    "一级分类",
    "点赞数",
]
ROWS = [
    [
        "101",
        "U1",
        "A3区潇楚南路洋湖段怎么还没修好？",
        "2019-04-24 16:03:40",
        "潇楚南路从2018年开始修，到现在都快一年了，联系电话13812345678。",
        "网友您好，该路段将于6月底完工。",
        "2019-05-10 14:56:53",
        "城乡建设",
        "12",
    ],
    [
        "102",
        "U2",
        "小区门口垃圾无人清理",
        "2020-01-08 13:54:22",
        "小区门口的垃圾堆了一个星期了，无人清理，臭气熏天。",
        "",
        "",
        "",
        "0",
    ],
    ["103", "U3", "", "2020-01-08 13:54:22", "没有标题的一行", "", "", "", ""],
    ["104", "U4", "时间写错了的一行留言", "昨天下午", "时间不是时间的一行留言内容", "", "", "", ""],
    [
        "105",
        "U5",
        "领域不存在的一行留言",
        "2020-01-08 13:54:22",
        "领域分类不在目录里",
        "",
        "",
        "不存在",
        "",
    ],
]


def write_csv(path: Path, rows=ROWS, header=HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def domain(db):
    return Domain.objects.create(name="城乡建设", level=1)


def run_import(path, world, **extra):
    out, err = StringIO(), StringIO()
    call_command(
        "import",
        str(path),
        "--board",
        str(world.board.pk),
        "--user",
        world.admin.username,
        "--no-progress",
        stdout=out,
        stderr=err,
        **extra,
    )
    return out.getvalue(), err.getvalue()


def test_import_creates_messages_replies_and_timelines_at_source_times(world, domain, tmp_path):
    path = write_csv(tmp_path / "old.csv")
    out, err = run_import(path, world)
    assert "2 messages created (1 with a reply)" in out or "2" in out
    # Bad rows are named by their line (the header is line 1) and the others went in.
    assert "line 4" in err and "line 5" in err and "line 6" in err
    assert ImportedMessage.objects.count() == 2
    answered = ImportedMessage.objects.get(source_id="101").message
    assert answered.channel == Message.Channel.IMPORT
    assert answered.state == lifecycle.State.CLOSED  # the rating window of 2019 is long over
    assert answered.submitted_at == datetime(2019, 4, 24, 8, 3, 40, tzinfo=UTC)
    assert answered.serial == "20190424000001"
    # The day's counter moved on: a message filed later on that day takes the next number.
    assert serials.next_serial(answered.submitted_at) == "20190424000002"
    assert answered.domain == domain and answered.likes == 12
    assert "13812345678" not in answered.public_body  # masked as for web messages
    reply = Reply.objects.get(message=answered)
    assert reply.state == lifecycle.ReplyState.PUBLISHED
    assert reply.published_at == datetime(2019, 5, 10, 6, 56, 53, tzinfo=UTC)
    actions = list(answered.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "screen",
        "dispatch",
        "accept",
        "draft_reply",
        "submit_reply",
        "approve_reply",
        "auto_close",
    ]
    assert [e.seq for e in answered.events.all()] == list(range(1, 9))
    assert access.is_publicly_visible(answered)
    open_one = ImportedMessage.objects.get(source_id="102").message
    assert open_one.state == lifecycle.State.DISPATCHED
    assert open_one.assignments.get().unit == world.bureau
    # A unit handler of the board's default unit sees it in the inbox, as any dispatched message.
    scope = access.staff_scope(world.handler)
    assert access.unit_assignments(scope).filter(message=open_one).exists()


def test_second_import_adds_nothing(world, domain, tmp_path):
    path = write_csv(tmp_path / "old.csv")
    run_import(path, world)
    counts = (Message.objects.count(), Reply.objects.count(), Event.objects.count())
    out, _ = run_import(path, world)
    assert (Message.objects.count(), Reply.objects.count(), Event.objects.count()) == counts
    assert "0 messages created" in out and "2 already imported" in out


def test_xlsx_import(world, domain, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS[:2]:
        sheet.append(row)
    path = tmp_path / "old.xlsx"
    workbook.save(path)
    _out, err = run_import(path, world)
    assert ImportedMessage.objects.count() == 2, err


def test_file_without_required_columns_is_refused(world, tmp_path):
    path = write_csv(
        tmp_path / "words.csv", rows=[["市西湖建筑", "城乡建设"]], header=["留言详情", "一级分类"]
    )
    with pytest.raises(CommandError, match="留言编号"):
        run_import(path, world)
    assert not Message.objects.exists()


def test_only_administrators_import(world, tmp_path):
    path = write_csv(tmp_path / "old.csv", rows=ROWS[1:2])
    with pytest.raises(importer.ImportFileError):
        importer.import_file(path, board=world.board, actor=world.handler)
    assert not Message.objects.exists()


def test_segmented_form_imports_with_a_stable_id_and_a_title_from_its_first_words(world, tmp_path):
    """The shared data's segmented form has only 分词文本 and 一级分类: each row becomes a
    message with an id from its text's hash, a title from its first words and the given time;
    the same text twice is one message, and a second run adds nothing."""
    Domain.objects.get_or_create(name="城乡建设", level=1)
    text = "投诉 A3 区 盛世 耀凯 小区 物业 无故 停水 2015 年 购买 盛世 耀凯 小区 17 栋 楼 两层"
    path = write_csv(
        tmp_path / "seg.csv",
        header=["分词文本", "一级分类"],
        rows=[
            [text, "城乡建设"],
            ["路灯 不亮 晚上 出行 不便", ""],
            [text, "城乡建设"],
            ["", "城乡建设"],
        ],
    )
    out, err = run_import(path, world, time="2020-01-08 13:54:22")
    assert "4 rows: 2 messages created" in out and "1 already imported" in out, out
    assert "line 5" in err  # the empty text is a bad row, reported by its line
    message = Message.objects.get(domain__name="城乡建设")
    assert message.title == "投诉A3区盛世耀凯小区物业无故停水2015年购买盛世耀凯小区"
    assert len(message.title) <= importer.SEGMENTED_TITLE_MAX
    assert message.body == text
    assert message.submitted_at == datetime(2020, 1, 8, 5, 54, 22, tzinfo=UTC)
    record = ImportedMessage.objects.get(message=message)
    assert record.source_id.startswith("sha1-") and len(record.source_id) == 45
    out, _err = run_import(path, world)
    assert " 0 messages created" in out and Message.objects.count() == 2


SHARED_FILES = ["messages_labeled.csv", "messages_replies.csv", "messages_hot.csv"]
SEGMENTED_FILE = "messages_labeled_segmented.csv"
ALL_SHARED_FILES = [*SHARED_FILES, SEGMENTED_FILE]


def _load_shared_domains():
    for name in {
        "城乡建设",
        "环境保护",
        "交通运输",
        "教育文体",
        "劳动和社会保障",
        "商贸旅游",
        "卫生计生",
    }:
        Domain.objects.get_or_create(name=name, level=1)


@pytest.mark.shared_data
def test_shared_files_sample_imports_cleanly_and_once(world, tmp_path):
    """300 rows of each of the four shared files (the whole files are the slow test below)."""
    _load_shared_domains()
    for name in ALL_SHARED_FILES:
        with (SHARED_DATA / name).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        sample = write_csv(tmp_path / name, rows=rows[1:301], header=rows[0])
        out, _err = run_import(sample, world)
        assert "300 rows: 300 messages created" in out or "already imported" in out, out
        assert " 0 bad rows" in out, _err
    created = Message.objects.count()
    for name in ALL_SHARED_FILES:
        out, _err = run_import(tmp_path / name, world)
        assert " 0 messages created" in out
    assert Message.objects.count() == created


@pytest.mark.shared_data
@pytest.mark.slow
def test_all_shared_message_files_import_and_a_second_run_adds_nothing(world, capsys):
    _load_shared_domains()
    started = time.perf_counter()
    total_rows = 0
    for name in ALL_SHARED_FILES:
        out, err = run_import(SHARED_DATA / name, world)
        total_rows += int(out.split(" rows")[0])
        assert " 0 bad rows" in out, err  # clean: every row of the four files goes in
    first = time.perf_counter() - started
    counts = (Message.objects.count(), Reply.objects.count(), Event.objects.count())
    # 8,924 rows with ids, 30 of them in two files (the same messages): 8,894 messages; and
    # 8,304 segmented rows, 155 of them a text seen before in that file: 8,149 more.
    assert counts[0] == 8894 + 8149 and counts[1] > 2700
    for name in ALL_SHARED_FILES:
        out, _ = run_import(SHARED_DATA / name, world)
        assert " 0 messages created" in out
    assert (Message.objects.count(), Reply.objects.count(), Event.objects.count()) == counts
    with capsys.disabled():
        print(f"\nimported {total_rows} shared rows in {first:.1f} s; second run added nothing")
