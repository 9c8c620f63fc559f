"""The hot queries keep using their indexes on PostgreSQL.

A plan is only worth checking on a table big enough, with fresh statistics, for the planner to
prefer an index: this seeds a few thousand messages and assignments with plain SQL (seconds),
runs ANALYZE as `liuyan demo-data` does after a load, and reads EXPLAIN of each query as the
code builds it. A failure names the query and prints the plan: an index was renamed or
dropped, or a query changed so that its index no longer fits (a different expression, a
predicate the partial index does not imply).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from liuyan.board import search
from liuyan.board.access import staff_scope
from liuyan.board.models import Message
from liuyan.board.selectors import overdue_assignments, public_messages, unrated_past_window
from liuyan.desk.insight import history_messages, kept_lead_counts
from liuyan.desk.selectors.leader import overdue_lead_assignments, recent_ratings
from liuyan.desk.selectors.moderator import lookback_queue, moderated_supervisions, screening_queue
from liuyan.desk.selectors.unit import open_follow_ups, unit_inbox
from liuyan.reports.figures import lists
from liuyan.reports.figures.measures import REGION
from tests.conftest import MONDAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MESSAGES = 20_000
# Common words in every message, one rare word in one message in 2,000.
SEED_SQL = """
INSERT INTO board_message (
    serial, board_id, region_id, type, channel, title, body, public_title, public_body, place,
    is_public, is_urgent, state, round, reject_reason, reject_note, likes, search_text,
    submitted_at, screen_by, rate_by, updated_at)
SELECT %(prefix)s || lpad(g::text, 12, '0'), %(board)s, %(region)s, 'complaint', 'web', 't', 'b',
    't', 'b', '', g %% 10 <> 0, false,
    (ARRAY['submitted','dispatched','accepted','replied','closed','closed','closed','closed',
           'closed','rejected'])[1 + g %% 10],
    1, '', '', 0,
    '小区 物业 停车 第' || (g %% 500) || '栋 '
        || CASE WHEN g %% 2000 = 0 THEN '稀有词 ' ELSE '' END || '问题',
    %(start)s + g * interval '1 minute',
    %(start)s + g * interval '1 minute' + interval '1 day',
    CASE WHEN g %% 10 = 3 THEN %(start)s + g * interval '1 minute' + interval '15 days' END,
    %(start)s
FROM generate_series(1, %(count)s) g
"""
ASSIGNMENTS_SQL = """
INSERT INTO board_assignment (message_id, board_id, unit_id, kind, state, round, created_at,
    accept_by, reply_by, note)
SELECT m.id, m.board_id, %(unit)s, 'lead',
    (ARRAY['pending','accepted','done','done','done','done','done','done','done','done'])
        [1 + m.id %% 10],
    1, m.submitted_at, m.submitted_at + interval '5 days', m.submitted_at + interval '20 days',
    ''
FROM board_message m WHERE m.serial LIKE 'P%%' OR m.serial LIKE 'Q%%'
"""
# A follow-up question on every replied or closed message, one in 50 still open; a rating of
# every closed message, given an hour apart going back about two years.
FOLLOW_UPS_SQL = """
INSERT INTO board_followup (message_id, assignment_id, unit_id, body, public_body, created_at,
    answer_by, state, answer, return_reason)
SELECT a.message_id, a.id, a.unit_id, 'q', 'q', m.submitted_at + interval '10 days',
    m.submitted_at + interval '15 days',
    CASE WHEN m.id %% 50 = 3 THEN 'waiting' ELSE 'published' END, '', ''
FROM board_assignment a JOIN board_message m ON m.id = a.message_id
WHERE m.serial LIKE 'P%%' AND m.state IN ('replied', 'closed')
"""
# One closed message in ten was rated unsatisfied and waits for the look-back; an open
# supervision on one message in five.
LOOKBACK_SQL = """
UPDATE board_message SET state = 'review', replied_at = submitted_at + interval '5 days'
WHERE serial LIKE 'P%%' AND state = 'closed' AND id %% 5 = 0
"""
SUPERVISIONS_SQL = """
INSERT INTO board_supervision (message_id, level, ordered_by_id, note, due_at, created_at,
    resolved_at)
SELECT m.id, 'reminder', %(user)s, '', m.submitted_at + interval '7 days', m.submitted_at,
    CASE WHEN m.id %% 2 = 0 THEN m.submitted_at + interval '3 days' END
FROM board_message m WHERE m.serial LIKE 'P%%' AND m.id %% 5 = 1
"""
EVALUATIONS_SQL = """
INSERT INTO board_evaluation (message_id, board_id, round, solved, attitude, speed, comment,
    created_at)
SELECT m.id, m.board_id, 1, m.id %% 3 <> 0, 1 + m.id %% 5, 1 + m.id %% 4, '',
    %(start)s - row_number() OVER (ORDER BY m.id) * interval '4 hours'
FROM board_message m WHERE m.serial LIKE %(prefix)s || '%%' AND m.state = 'closed'
"""

# The figures' facts of every seeded message: all in the city, one in 1,000 in another one.
FACTS_SQL = """
INSERT INTO reports_messagefigures (
    message_id, day, is_public, level, board_id, region1, region2, region3, type, channel,
    thrown_out, own, dispatched, accepted, accepted_on_time, replied, replied_on_time, rated,
    satisfied, solved, follow_ups, reopened, supervisions, listed)
SELECT m.id, (m.submitted_at AT TIME ZONE 'Asia/Shanghai')::date, m.is_public, 2, m.board_id,
    %(province)s, CASE WHEN m.id %% 1000 = 7 THEN %(other)s ELSE %(city)s END, NULL,
    m.type, m.channel, false, false, true, true, true, m.state IN ('replied', 'closed'),
    m.state IN ('replied', 'closed'), m.state = 'closed', m.state = 'closed', false, 0, false, 0,
    0
FROM board_message m WHERE m.serial LIKE 'P%%'
"""


@pytest.fixture
def seeded(world):
    start = MONDAY - timedelta(minutes=MESSAGES)
    with connection.cursor() as cursor:
        cursor.execute(
            SEED_SQL,
            {
                "board": world.board.pk,
                "region": world.city.pk,
                "start": start,
                "count": MESSAGES,
                "prefix": "P",
            },
        )
        # As many on the other city's board, rated too: a board's ratings are then a part of
        # the period's, which only the (board, created_at) index reads alone.
        cursor.execute(
            SEED_SQL,
            {
                "board": world.other_board.pk,
                "region": world.other_city.pk,
                "start": start,
                "count": MESSAGES,
                "prefix": "Q",
            },
        )
        cursor.execute(ASSIGNMENTS_SQL, {"unit": world.bureau.pk})
        cursor.execute(FOLLOW_UPS_SQL, {})
        cursor.execute(EVALUATIONS_SQL, {"start": start, "prefix": "P"})
        cursor.execute(EVALUATIONS_SQL, {"start": start, "prefix": "Q"})
        cursor.execute(LOOKBACK_SQL, {})
        cursor.execute(SUPERVISIONS_SQL, {"user": world.moderator.pk})
        cursor.execute(
            FACTS_SQL,
            {
                "province": world.province.pk,
                "city": world.city.pk,
                "other": world.other_city.pk,
            },
        )
        for table in (
            "board_message",
            "board_assignment",
            "board_followup",
            "board_evaluation",
            "board_supervision",
            "reports_messagefigures",
        ):
            cursor.execute(f"ANALYZE {table}")
    search._postgres_index_by_alias.clear()
    search._word_shares_by_alias.clear()
    return world


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_hot_queries_use_their_indexes(seeded):
    index = search.postgres_search_index()
    assert index in ("msg_search_rum", "msg_search_gin")
    now = MONDAY
    hot = {
        # Search: a rare word through the search index.
        "search, rare word": (search.candidate_query(public_messages(), ["稀有词"]), index),
        # A word in every message: the newest matches are the newest rows (the key walked
        # backwards); RUM would collect and sort all of them first.
        "search, common word": (
            search.candidate_query(public_messages(), ["物业"]),
            "Index Scan Backward using board_message_pkey",
        ),
        "tick: missed deadlines of the last week": (
            overdue_assignments(now=now, since=now - timedelta(days=7)),
            "asg_pending_accept_by",
        ),
        "tick: unrated replies to close": (unrated_past_window(now=now), "msg_state_rate_by"),
        "moderator's screening queue": (
            screening_queue(staff_scope(seeded.moderator)).order_by("screen_by", "pk")[:20],
            "msg_state_screen_by",
        ),
    }
    # A message of a board and region among others (the seeded ones fill a single board).
    message = Message(board=seeded.other_board, region=seeded.other_city)
    board_recent, region_recent = history_messages(message, since=now - timedelta(days=730))
    seeded_message = Message.objects.filter(serial__startswith="P").first()
    seeded_recent: set[int] = set()
    for recent in history_messages(seeded_message, since=now - timedelta(days=730)):
        seeded_recent.update(recent)
    hot |= {
        # The desk's dispatch history: the board's and the region's latest messages.
        "dispatch history, the board's latest": (board_recent, "msg_board_recent"),
        "dispatch history, the region's latest": (region_recent, "msg_region"),
        # ... and the kept lead assignments of those messages, one index probe each.
        "dispatch history, the kept dispatches": (
            kept_lead_counts(seeded_recent, since=now - timedelta(days=730)),
            "asg_message_state",
        ),
        "unit inbox: open follow-up questions": (
            open_follow_ups(staff_scope(seeded.handler))[:20],
            "followup_unit_open_due",
        ),
        "leader overview: the last 90 days' ratings": (
            recent_ratings(staff_scope(seeded.leader), since=now - timedelta(days=90))[0],
            "evaluation_board_created",
        ),
        "leader overview: the overdue lead assignments": (
            overdue_lead_assignments(
                staff_scope(seeded.leader), since=now - timedelta(days=90), now=now
            )[0],
            "asg_board_",
        ),
    }
    # The desk queues, each a keyset page in its own order (the views' pager).
    handler = staff_scope(seeded.handler)
    moderator = staff_scope(seeded.moderator)

    def first_page(queryset, key):
        return queryset.order_by(key, "pk")[:26]

    hot |= {
        "unit inbox: pending": (
            first_page(unit_inbox(handler, state="pending", now=now), "due_at"),
            # The seeded assignments are all of one unit: the partial index of every pending
            # one gives the same order there.
            ("asg_unit_accept_by", "asg_pending_accept_by"),
        ),
        "unit inbox: accepted": (
            first_page(unit_inbox(handler, state="accepted", now=now), "due_at"),
            ("asg_unit_reply_by", "asg_accepted_reply_by"),
        ),
        "unit inbox: finished": (
            first_page(unit_inbox(handler, state="finished", now=now), "due_at"),
            "asg_unit_finished",
        ),
        "moderator's look-back, older": (
            first_page(lookback_queue(moderator, now=now, stale=True), "replied_at"),
            "msg_review_replied",
        ),
        "moderator's supervision": (
            first_page(moderated_supervisions(moderator), "due_at"),
            "sup_open_due_id",
        ),
    }
    # The messages behind a small region's figure: the region at any of its levels, within
    # the year (the figures page's list; a busy region walks the newest messages instead).
    behind = lists.messages_behind(
        kind=REGION,
        key=str(seeded.other_city.pk),
        measure="replied",
        since=(MONDAY - timedelta(days=365)).date(),
        until=MONDAY.date(),
        public=True,
    ).filter(pk__in=public_messages().values("pk"))
    hot["messages behind a region's figure"] = (
        behind.order_by("-submitted_at", "-id")[:21],
        "msgfig_region2_day",
    )
    for name, (queryset, index_names) in hot.items():
        plan = plan_of(queryset)
        names = (index_names,) if isinstance(index_names, str) else index_names
        assert any(n in plan for n in names), f"{name} no longer uses {index_names}:\n{plan}"
