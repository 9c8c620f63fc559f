"""The fast import path (multi-row INSERTs, text work in forked workers, figures counted once
per batch) writes the same messages, assignments, replies, events and figures however the rows
are cut into batches and whether or not workers do the text work; and the roll-ups equal a
recount afterwards, also after a second run that adds nothing."""

import csv
from datetime import datetime, timedelta

import pytest

from liuyan.board.models import Assignment, Event, Message, Reply
from liuyan.channels import importer
from liuyan.core.clock import SHANGHAI
from liuyan.directory.models import Board, Domain
from liuyan.reports.figures.facts import facts_for
from liuyan.reports.figures.measures import MEASURES, total_contribution
from liuyan.reports.models import Figure

pytestmark = pytest.mark.django_db

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


def _rows(n: int = 23) -> list[list[str]]:
    """Old messages over a few days (several on one day, so serials of a day are shared across
    batches), a third answered (some long ago: closed; one recently: still open for rating),
    phone numbers and ID numbers to mask, a domain on some, one bad row."""
    start = datetime(2019, 4, 24, 9, 0, tzinfo=SHANGHAI)
    recent = datetime.now(SHANGHAI) - timedelta(days=2)
    rows = []
    for i in range(n):
        at = start + timedelta(hours=7 * i)
        answered = i % 3 == 0
        reply_at = (recent if i == 9 else at + timedelta(days=4, hours=i)) if answered else None
        if i == 9:
            at = recent - timedelta(days=1)
        rows.append(
            [
                str(5000 + i),
                f"U{i}",
                f"第{i}条：小区门口道路破损怎么办{'？' if i % 4 == 0 else ''}",
                at.strftime("%Y-%m-%d %H:%M:%S"),
                f"道路破损已经{i}个月，请尽快维修。我的电话1381234{i:04d}，"
                f"身份证43010419900101{i:04d}，住在幸福小区{i}栋。",
                f"您好，已安排维修，联系电话0731-8888{i:04d}。" if answered else "",
                reply_at.strftime("%Y-%m-%d %H:%M:%S") if reply_at else "",
                "城乡建设" if i % 2 else "",
                str(i),
            ]
        )
    rows.append(["5999", "U", "时间写错了的一行", "昨天", "时间不是时间", "", "", "", ""])
    return rows


def _snapshot(board: Board) -> dict:
    """Everything the import wrote for `board`, without ids, board and the serials' numbers."""
    messages = Message.objects.filter(board=board).order_by("submitted_at", "title")
    by_id = {}
    for m in messages:
        by_id[m.pk] = (
            m.serial[:8],
            m.title,
            m.public_title,
            m.body,
            m.public_body,
            m.search_text,
            m.state,
            m.type,
            m.channel,
            m.domain_id,
            m.likes,
            m.is_public,
            m.submitted_at,
            m.screen_by,
            m.screened_at,
            m.dispatched_at,
            m.replied_at,
            m.rate_by,
            m.closed_at,
        )
    assignments = {
        a.message_id: (
            a.unit_id,
            a.kind,
            a.round,
            a.state,
            a.created_at,
            a.accept_by,
            a.accepted_at,
            a.reply_by,
            a.finished_at,
        )
        for a in Assignment.objects.filter(message__board=board)
    }
    replies = {
        r.message_id: (
            r.unit_id,
            r.author_id,
            r.body,
            r.state,
            r.created_at,
            r.published_at,
            r.reviewed_by_id,
            r.assignment_id == assignments_ids.get(r.message_id),
        )
        for assignments_ids in [
            dict(Assignment.objects.filter(message__board=board).values_list("message_id", "pk"))
        ]
        for r in Reply.objects.filter(message__board=board)
    }
    events: dict[int, list] = {pk: [] for pk in by_id}
    for e in Event.objects.filter(message__board=board).order_by("message_id", "seq"):
        events[e.message_id].append(
            (
                e.seq,
                e.at,
                e.actor_id,
                e.actor_role,
                e.action,
                e.from_state,
                e.to_state,
                e.assignment_id is not None,
                e.unit_id,
                e.is_public,
            )
        )
    return {
        "messages": [
            (row, assignments.get(pk), replies.get(pk), events[pk]) for pk, row in by_id.items()
        ],
    }


def _stored_rows() -> dict:
    rows = {}
    for figure in Figure.objects.all():
        counts = {m: getattr(figure, m) for m in MEASURES if getattr(figure, m)}
        if counts:
            rows[(figure.public, figure.kind, figure.key, figure.period, figure.start)] = counts
    return rows


def _recounted_rows() -> dict:
    facts = facts_for(Message.objects.values_list("pk", flat=True)).values()
    rows = total_contribution(facts)
    return {key: {m: v for m, v in counts.items() if v} for key, counts in rows.items()}


def _board_rows(rows: dict, board: Board) -> dict:
    return {k[:2] + k[3:]: v for k, v in rows.items() if k[1] == "board" and k[2] == str(board.pk)}


def test_batches_and_workers_write_the_same_rows_events_and_figures(world, tmp_path):
    Domain.objects.create(name="城乡建设", level=1)
    twin = Board.objects.create(
        name="长沙市市长（二）", kind="leader", region=world.city, default_unit=world.bureau
    )
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *_rows()])

    # One batch, text work in this process; then batches of 4 with two forked workers.
    whole = importer.import_file(
        path, board=world.board, actor=world.admin, source="one", workers=0
    )
    cut = importer.import_file(
        path, board=twin, actor=world.admin, source="two", batch_size=4, workers=2
    )
    for report in (whole, cut):
        assert (report.rows, report.created, len(report.problems)) == (24, 23, 1)
        assert report.problems[0].line == 25
    assert whole.replies == cut.replies == 8

    first, second = _snapshot(world.board), _snapshot(twin)
    assert first == second
    assert len(first["messages"]) == 23
    masked = first["messages"][1][0]
    assert "13812340001" in masked[3] and "13812340001" not in masked[4]
    # Serials of one day run on across batches without a gap or a repeat.
    serials = sorted(Message.objects.values_list("serial", flat=True))
    assert len(set(serials)) == 46
    day = [s for s in serials if s.startswith("20190424")]
    assert [int(s[8:]) for s in day] == list(range(1, len(day) + 1))

    # The roll-ups equal a recount, and the two boards' rows are the same figures.
    stored = _stored_rows()
    assert stored == _recounted_rows()
    assert _board_rows(stored, world.board) == _board_rows(stored, twin) != {}

    # A second run adds nothing and leaves the figures as they were.
    again = importer.import_file(
        path, board=twin, actor=world.admin, source="two", batch_size=4, workers=2
    )
    assert (again.created, again.skipped) == (0, 23)
    assert _stored_rows() == stored


def _facts_rows(board: Board) -> list[tuple]:
    """The stored MessageFigures of `board`'s messages, by submission, without ids."""
    from liuyan.reports.figures.models import MessageFigures

    order = list(
        Message.objects.filter(board=board)
        .order_by("submitted_at", "title")
        .values_list("pk", flat=True)
    )
    stored = {row.message_id: row for row in MessageFigures.objects.filter(message_id__in=order)}
    skip = {"message_id", "board_id"}
    return [
        tuple(
            (f.attname, getattr(stored[pk], f.attname))
            for f in MessageFigures._meta.concrete_fields
            if f.attname not in skip
        )
        for pk in order
    ]


def test_whole_batches_count_what_row_by_row_reads_back(world, tmp_path):
    """The fast path (batches of 1,000, text in workers, figures from the rows in hand) and the
    per-row path (one message a batch, text here) write the same messages, replies, events and
    figures; the facts stored for each message are what reading it back gives; the roll-ups
    equal a recount, also with rows of the board imported before; a second run adds nothing."""
    from liuyan.reports.figures.facts import from_row
    from liuyan.reports.figures.models import MessageFigures

    Domain.objects.create(name="城乡建设", level=1)
    twin = Board.objects.create(
        name="长沙市市长（二）", kind="leader", region=world.city, default_unit=world.bureau
    )
    rows = _rows()
    duplicate = [*rows[2]]
    duplicate[2] = "同一编号的第二行"
    rows += [
        duplicate,  # same id as an earlier row: skipped
        ["6001", "U", "答复早于留言", "2019-05-01 10:00:00", "正文", "答复", "2019-04-01 10:00:00"],
        ["6002", "U", "点赞不是数", "2019-05-01 10:00:00", "正文", "", "", "", "很多"],
        ["6003", "U", "未知领域", "2019-05-01 10:00:00", "正文", "", "", "天文", ""],
    ]
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    earlier = tmp_path / "earlier.csv"
    with earlier.open("w", encoding="utf-8", newline="") as handle:
        # The same days as the file's, under other ids: figure rows that exist before the import.
        csv.writer(handle).writerows(
            [HEADER, *[[f"E{r[0]}", r[1], "旧" + r[2], *r[3:]] for r in _rows(6)]]
        )
    for board in (world.board, twin):
        importer.import_file(
            earlier, board=board, actor=world.admin, source=f"e{board.pk}", workers=0
        )

    by_row = importer.import_file(
        path, board=world.board, actor=world.admin, source="one", batch_size=1, workers=0
    )
    fast = importer.import_file(path, board=twin, actor=world.admin, source="two", workers=2)
    for report in (by_row, fast):
        assert (report.rows, report.created, report.skipped, report.replies) == (28, 23, 1, 8)
        assert [p.line for p in report.problems] == [25, 27, 28, 29]

    assert _snapshot(world.board) == _snapshot(twin)
    assert _facts_rows(world.board) == _facts_rows(twin)
    stored_facts = {row.message_id: from_row(row) for row in MessageFigures.objects.all()}
    assert stored_facts == facts_for(Message.objects.values_list("pk", flat=True))
    stored = _stored_rows()
    assert stored == _recounted_rows()
    assert _board_rows(stored, world.board) == _board_rows(stored, twin) != {}

    for board, source in ((world.board, "one"), (twin, "two")):
        again = importer.import_file(path, board=board, actor=world.admin, source=source)
        assert (again.created, again.skipped, len(again.problems)) == (0, 24, 4)
    assert _stored_rows() == stored
    assert Message.objects.count() == 2 * (23 + 6)


def test_the_facts_an_import_counts_from_its_rows_are_those_read_back(world, tmp_path):
    """The figures of an import's batch are counted from the rows it wrote
    (`facts_of_written`); they must be the facts `facts_for` reads from the tables, for
    answered, closed, still-rateable and unanswered messages, with and without a domain."""
    from liuyan.board import signals
    from liuyan.reports.figures.facts import facts_of_written

    Domain.objects.create(name="城乡建设", level=1)
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *_rows()])
    sent = []

    def keep(sender, message_ids, written=None, **kwargs):
        sent.append((message_ids, written))

    signals.history_imported.connect(keep)
    try:
        importer.import_file(path, board=world.board, actor=world.admin, batch_size=10, workers=0)
    finally:
        signals.history_imported.disconnect(keep)
    assert [len(ids) for ids, _written in sent] == [10, 10, 3]
    for ids, written in sent:
        in_hand = facts_of_written(
            written.messages,
            leads=written.leads,
            first_accept=written.first_accept,
            first_reply=written.first_reply,
        )
        assert in_hand == facts_for(ids)
    kinds = [facts_for(ids) for ids, _written in sent]
    facts = [f for batch in kinds for f in batch.values()]
    # The sample covers what the facts tell apart.
    assert {f.replied for f in facts} == {True, False}
    assert {bool(f.domains) for f in facts} == {True, False}
    assert {f.type for f in facts} == {"complaint", "consultation"}


def test_the_text_workers_are_forked_with_the_segmenter_loaded(monkeypatch):
    """The workers share the segmenter's dictionary loaded once here before the fork; each of
    them building its own cost a quarter of a second a worker, twice per file imported."""
    from liuyan.insight import text

    monkeypatch.setattr(text, "_segmenter", None)
    row = importer.parse_row(
        2,
        {
            "留言编号": "1",
            "留言主题": "路灯不亮",
            "留言时间": "2019-04-24 09:00:00",
            "留言详情": "小区路灯坏了",
        },
        {},
    )
    work = importer._TextWork(1)
    try:
        work.submit([row])
        assert text._segmenter is not None  # loaded here, so the forked worker has it
        [done] = work.drain()
    finally:
        work.close()
    assert done[0].item.texts is not None and "路灯" in done[0].item.texts[2]
