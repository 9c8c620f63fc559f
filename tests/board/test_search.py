"""Search over public messages, on SQLite (FTS5) and PostgreSQL (pg_trgm) alike."""

from __future__ import annotations

import importlib
import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from liuyan.board import search
from liuyan.board import services as s
from liuyan.board.access import PUBLIC_STATES
from liuyan.board.models import Message
from liuyan.board.search import query_words, search_public
from liuyan.core.lifecycle import State
from liuyan.directory.models import Domain
from liuyan.insight.text import segment_for_search
from tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

FILLER = "希望有关部门尽快处理，谢谢。"
_serials = itertools.count(1)


def submitted(w, title, body, **extra):
    fields = dict(author=w.citizen, board=w.board, type="complaint", now=MONDAY)
    fields.update(extra)
    return s.submit_message(title=title, body=body + FILLER, **fields)


def dispatched(w, title, body, **extra):
    m = submitted(w, title, body, **extra)
    s.dispatch_message(message_id=m.pk, actor=w.moderator, lead_unit=w.bureau, now=MONDAY)
    return Message.objects.get(pk=m.pk)


def replied(w, title, body, reply_body):
    m = dispatched(w, title, body)
    lead = m.assignments.get(kind="lead")
    s.accept_assignment(assignment_id=lead.pk, actor=w.handler, now=MONDAY)
    reply = s.submit_reply(assignment_id=lead.pk, actor=w.handler, body=reply_body, now=MONDAY)
    s.approve_reply(reply_id=reply.pk, actor=w.moderator, now=MONDAY)
    return Message.objects.get(pk=m.pk)


def direct(w, title, body, *, state=State.DISPATCHED, save=True, **extra):
    """A message made with the ORM (faster, any field), search_text set as services do."""
    fields = dict(
        serial=f"T{next(_serials):09d}",
        board=w.board,
        region=w.city,
        type="complaint",
        title=title,
        body=body,
        public_title=title,
        public_body=body,
        state=state,
        submitted_at=MONDAY,
        search_text=segment_for_search(f"{title} {body}"),
    )
    fields.update(extra)
    m = Message(**fields)
    if save:
        m.save()
    return m


def found(query, **filters) -> list[int]:
    return [hit.message.pk for hit in search_public(query, **filters).hits]


# --- words -------------------------------------------------------------------------------


def test_two_character_words_match(world):
    lamp = dispatched(world, "路灯坏了没人修", "小区门口的路灯坏了晚上出行不便。")
    noise = dispatched(world, "餐馆噪音影响休息", "楼下餐馆油烟噪音很大影响休息。")
    assert found("路灯") == [lamp.pk]
    assert found("噪音") == [noise.pk]
    assert found("路灯 噪音") == []  # every word must match


def test_traditional_query_finds_simplified_text_and_back(world):
    noise = dispatched(world, "噪音扰民问题严重", "广场舞音响每晚开到十点，噪音扰民。")
    school = dispatched(world, "學校門口交通擁堵", "學校門口每天放學時交通擁堵，接送孩子很危險。")
    assert found("噪音擾民") == [noise.pk]
    assert found("学校") == [school.pk]
    assert found("學校") == [school.pk]


def test_query_words_drop_a_long_word_its_parts_already_cover():
    assert query_words("物业管理") == ["物业", "管理"]
    assert "幼儿园" in query_words("幼儿园")  # 幼儿 does not cover 园
    assert query_words("   ") == []
    assert query_words("的") == []  # a stop word alone says nothing


def test_empty_or_whitespace_query_gives_an_empty_page(world):
    dispatched(world, "路灯坏了没人修", "小区门口的路灯坏了。")
    for query in ("", "   ", "\n\t", "，。！", None):
        page = search_public(query)
        assert page.hits == [] and page.has_more is False


# --- who can be found --------------------------------------------------------------------


def test_private_unscreened_and_rejected_messages_are_never_returned(world):
    public = dispatched(world, "暖气不热请求处理", "我家暖气不热，室温只有十二度。")
    private = dispatched(world, "暖气不热隐私情况", "我家暖气不热，家中有病人。", is_public=False)
    submitted(world, "暖气不热等待审核", "暖气不热，还在等待审核。")
    rejected = submitted(world, "暖气不热被退回", "暖气不热，这条留言被退回。")
    s.reject_message(message_id=rejected.pk, actor=world.moderator, reason="spam")
    for query in ("暖气", "暖气不热", "隐私", "病人", "等待审核", "退回", private.title):
        assert set(found(query)) <= {public.pk}, query
    assert found("暖气") == [public.pk]
    assert found("病人") == []
    assert found("暖气", state=State.SUBMITTED) == []


def test_a_message_made_private_later_leaves_the_results(world):
    m = dispatched(world, "暖气不热请求处理", "我家暖气不热，室温只有十二度。")
    assert found("暖气") == [m.pk]
    Message.objects.filter(pk=m.pk).update(is_public=False)
    assert found("暖气") == []


def test_published_reply_text_is_found_and_a_draft_reply_is_not(world):
    m = replied(world, "路灯坏了没人修", "小区门口的路灯坏了。", "经核查，已安排施工队更换灯杆。")
    assert found("灯杆") == [m.pk]
    hit = search_public("灯杆").hits[0]
    assert hit.snippet_from == "reply"
    assert "<mark>灯杆</mark>" in hit.snippet_html

    other = dispatched(world, "排水管道堵塞", "小区排水管道堵塞，污水外溢。")
    lead = other.assignments.get(kind="lead")
    s.accept_assignment(assignment_id=lead.pk, actor=world.handler, now=MONDAY)
    s.submit_reply(assignment_id=lead.pk, actor=world.handler, body="已派员疏通雨水井。")
    assert found("疏通") == []  # under review: not public yet


# --- filters -----------------------------------------------------------------------------


def test_filters_combine(world):
    top = Domain.objects.create(name="城乡建设", level=1)
    sub = Domain.objects.create(name="市政设施", level=2, parent=top)
    other_domain = Domain.objects.create(name="教育", level=1)
    in_county = direct(world, "路灯坏了没人修", "县城路灯坏了。", region=world.county, domain=sub)
    other_board = direct(
        world, "路灯不够亮", "株洲路灯太暗。", board=world.other_board, region=world.other_city
    )
    helped = direct(
        world, "路灯求助", "请帮忙修路灯。", type="help", domain=other_domain, state=State.REPLIED
    )
    late = direct(
        world, "路灯晚上不开", "这里路灯晚上不开。", submitted_at=MONDAY + timedelta(days=10)
    )

    assert set(found("路灯")) == {in_county.pk, other_board.pk, helped.pk, late.pk}
    assert set(found("路灯", board_id=world.board.pk)) == {in_county.pk, helped.pk, late.pk}
    assert found("路灯", region_id=world.county.pk) == [in_county.pk]
    assert set(found("路灯", region_id=world.city.pk)) == {in_county.pk, helped.pk, late.pk}
    assert found("路灯", domain_id=top.pk) == [in_county.pk]  # includes its sub-domains
    assert found("路灯", type="help") == [helped.pk]
    assert found("路灯", state=State.REPLIED) == [helped.pk]
    assert set(found("路灯", state=[State.REPLIED, State.DISPATCHED])) == set(found("路灯"))
    assert found("路灯", since=MONDAY + timedelta(days=1)) == [late.pk]
    assert late.pk not in found("路灯", until=MONDAY + timedelta(days=1))
    assert found("路灯", board_id=world.board.pk, type="help", region_id=world.county.pk) == []


# --- ranking and pages -------------------------------------------------------------------


def test_the_better_match_comes_first(world):
    passing = direct(
        world,
        "小区环境问题反映",
        "小区绿化带缺少维护，垃圾清运不及时，停车位不够，电梯经常故障，"
        "楼道堆满杂物，外墙瓷砖脱落，健身器材损坏，路灯也有一盏不亮，"
        "下水道返味，快递柜太少，门禁系统失灵，保安巡逻不到位。",
        submitted_at=MONDAY + timedelta(days=5),  # newer: recency alone would put it first
    )
    focused = direct(world, "路灯不亮", "路灯坏了，路灯一直不修，路灯下很黑。")
    assert found("路灯") == [focused.pk, passing.pk]
    hits = search_public("路灯").hits
    assert hits[0].score > hits[1].score


def test_equal_matches_come_newest_first(world):
    old = direct(world, "路灯坏了", "路灯坏了。")
    new = direct(world, "路灯坏了", "路灯坏了。", submitted_at=MONDAY + timedelta(days=1))
    assert found("路灯") == [new.pk, old.pk]


def test_pages_use_limit_plus_one_and_do_not_overlap(world):
    ids = {direct(world, f"路灯坏了第{i}处", f"第{i}处路灯坏了。").pk for i in range(5)}
    first = search_public("路灯", limit=2)
    second = search_public("路灯", limit=2, offset=2)
    last = search_public("路灯", limit=2, offset=4)
    assert first.has_more and second.has_more and not last.has_more
    pages = [h.message.pk for p in (first, second, last) for h in p.hits]
    assert len(pages) == 5 and set(pages) == ids


# --- highlighting ------------------------------------------------------------------------


def test_highlight_marks_the_word_and_escapes_user_html(world):
    direct(world, "路灯<b>坏了</b>", "<script>alert(1)</script> 小区路灯坏了 & 没人管。")
    hit = search_public("路灯").hits[0]
    assert hit.title_html == "<mark>路灯</mark>&lt;b&gt;坏了&lt;/b&gt;"
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet_html
    assert "<mark>路灯</mark>" in hit.snippet_html
    assert "&amp;" in hit.snippet_html


def test_highlight_marks_the_original_traditional_characters(world):
    direct(world, "學校門口交通擁堵", "學校門口每天放學時交通擁堵。")
    hit = search_public("学校 拥堵").hits[0]
    assert hit.title_html == "<mark>學校</mark>門口交通<mark>擁堵</mark>"


def test_highlight_survives_a_conversion_that_changes_length():
    # Pretend OpenCC turned one character into two: positions must still map back.
    text = "ＡＢ路灯"
    assert search.match_spans(text, ["ab"]) == [(0, 2)]
    assert search.match_spans("abc 路灯 abc", ["abc", "路灯"]) == [(0, 3), (4, 6), (7, 10)]
    assert search.highlight("路灯路灯", ["路灯"]) == "<mark>路灯路灯</mark>"


def test_snippet_is_a_window_around_the_first_hit():
    text = "前" * 300 + "路灯坏了" + "后" * 300
    excerpt = search.snippet(text, ["路灯"])
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert "<mark>路灯</mark>" in excerpt
    plain = excerpt.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert len(plain) == search.SNIPPET_CHARS
    assert search.snippet("没有命中", ["路灯"]) is None


def test_a_message_without_hits_in_the_body_opens_with_its_body(world):
    direct(world, "路灯坏了", "晚上一片漆黑。" * 40)
    hit = search_public("路灯").hits[0]
    assert hit.snippet_html.startswith("晚上一片漆黑") and hit.snippet_html.endswith("…")


# --- hostile input -----------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "*",
    "路灯*",
    "AND",
    "OR",
    "NOT 路灯",
    "-",
    "-路灯",
    "路灯 OR 噪音",
    "NEAR(路灯 噪音)",
    "search_text:路灯",
    "^路灯",
    "(路灯",
    "路灯)",
    "'; DROP TABLE board_message; --",
    "%",
    "_",
    "\\",
    "路%灯",
    "\x00",
    "路" * 5000,
    "{路灯}",
    "+",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_do_not_crash_or_match_everything(world, query):
    lamp = direct(world, "路灯坏了没人修", "小区门口的路灯坏了。")
    page = search_public(query)
    ids = [hit.message.pk for hit in page.hits]
    assert Message.objects.filter(pk=lamp.pk).exists()
    if "路灯" not in query:
        assert ids == [], query


def test_operator_words_are_plain_words(world):
    m = direct(world, "AND路灯", "这里写着 AND 和 OR 两个英文单词，还有路灯。")
    assert found("and") == [m.pk]
    assert found("AND 路灯") == [m.pk]
    assert found("NOT") == []


# --- the index follows the table ---------------------------------------------------------


def test_index_follows_saves_and_deletes(world):
    m = direct(world, "路灯坏了", "小区路灯坏了。")
    m.public_body = "楼下餐馆油烟噪音很大。"
    m.search_text = segment_for_search(f"{m.public_title} {m.public_body}")
    m.save()
    assert found("噪音") == [m.pk]
    m.public_title, m.public_body = "噪音扰民", "楼下餐馆噪音很大。"
    m.search_text = segment_for_search(f"{m.public_title} {m.public_body}")
    m.save()
    assert found("路灯") == []
    m.state = State.REJECTED
    m.save()
    assert found("噪音") == []
    m.state = State.CLOSED
    m.save()
    assert found("噪音") == [m.pk]
    with connection.cursor() as cursor:
        # Plain SQL: the index must follow however the row goes, not only Django's delete().
        cursor.execute("DELETE FROM board_message WHERE id = %s", [m.pk])
    assert found("噪音") == []


def test_bulk_created_messages_are_indexed(world):
    made = Message.objects.bulk_create(
        [direct(world, f"路灯坏了第{i}处", f"第{i}处路灯坏了。", save=False) for i in range(3)]
        + [direct(world, "路灯私信", "路灯坏了。", is_public=False, save=False)]
    )
    assert set(found("路灯")) == {m.pk for m in made if m.is_public}


@pytest.mark.parametrize("name", ["0003_search_index", "0009_search_tsvector_newest_first"])
def test_the_migration_indexes_exactly_the_public_states(name):
    migration = importlib.import_module(f"liuyan.board.migrations.{name}")
    assert set(migration.PUBLIC_STATES) == {state.value for state in PUBLIC_STATES}


def test_a_common_word_ranks_only_the_newest_candidates(world, monkeypatch):
    """The work per query is bounded: with CANDIDATES = 3, only the three newest matches are
    ranked, although an older one is the best match, and the pages end after them."""
    monkeypatch.setattr(search, "CANDIDATES", 3)
    best_but_old = direct(world, "路灯路灯路灯", "路灯路灯路灯坏了。")
    newer = [
        direct(
            world,
            f"路灯坏了第{i}处",
            "小区门口的路灯坏了，晚上出行不便，请尽快修理。",
            submitted_at=MONDAY + timedelta(days=i),
        )
        for i in range(1, 4)
    ]
    assert set(found("路灯", limit=10)) == {m.pk for m in newer}
    assert best_but_old.pk not in found("路灯", limit=10)
    assert search_public("路灯", limit=2, offset=2).has_more is False
    assert search_public("路灯", offset=3).hits == []


def test_rebuild_command_recomputes_search_text_and_is_idempotent(world):
    m = replied(world, "路灯坏了没人修", "小区门口的路灯坏了。", "已安排施工队更换灯杆。")
    expected = Message.objects.get(pk=m.pk).search_text
    Message.objects.filter(pk=m.pk).update(search_text="")
    assert found("灯杆") == []
    call_command("rebuild-search-index", "--batch-size", "1")
    assert Message.objects.get(pk=m.pk).search_text == expected
    assert found("灯杆") == [m.pk]
    call_command("rebuild-search-index")
    assert found("灯杆") == [m.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_rebuild_puts_back_triggers_a_table_remake_dropped(world):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER board_message_fts_insert")
    assert search.missing_sqlite_triggers() == ["board_message_fts_insert"]
    lost = direct(world, "路灯坏了", "小区路灯坏了。")
    assert found("路灯") == []
    call_command("rebuild-search-index")
    assert search.missing_sqlite_triggers() == []
    assert found("路灯") == [lost.pk]
    later = direct(world, "路灯又坏了", "小区路灯又坏了。")
    assert set(found("路灯")) == {lost.pk, later.pk}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_the_post_migrate_hook_restores_triggers_and_reindexes(world):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS board_message_fts_insert")
    lost = direct(world, "路灯坏了", "小区路灯坏了。")
    search.restore_sqlite_index_after_migrate(using=connection.alias)
    assert search.missing_sqlite_triggers() == []
    assert found("路灯") == [lost.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_a_migrated_database_has_its_index_triggers():
    """Fails when a migration remade board_message and nothing put the triggers back
    (board's AppConfig must connect search.restore_sqlite_index_after_migrate)."""
    assert search.missing_sqlite_triggers() == []


def test_personal_data_in_a_published_reply_is_neither_searchable_nor_shown(world):
    """A reply is public text: a phone number a unit wrote into it is masked in the index and
    the snippet, as in the message itself."""
    m = replied(
        world, "路灯坏了没人修", "小区门口的路灯坏了。", "已电话联系您13907315566，灯杆已更换。"
    )
    assert found("13907315566") == []
    hit = search_public("联系").hits[0]
    assert hit.message.pk == m.pk and hit.snippet_from == "reply"
    assert "13907315566" not in hit.snippet_html and "139****5566" in hit.snippet_html
