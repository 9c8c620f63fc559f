"""`liuyan demo-data`: a small world whose every history the live service could have written."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction

from liuyan.core.clock import END_OF_DAY, SHANGHAI
from liuyan.core.lifecycle import (
    ACTIVE_ASSIGNMENT_STATES,
    HANDLING_STATES,
    TERMINAL_STATES,
    State,
)

MESSAGES = 300
MODELS = (
    "Message",
    "MessageContact",
    "Assignment",
    "Reply",
    "Evaluation",
    "Event",
    "Supervision",
    "ExtensionRequest",
)


def _run(**options) -> str:
    out = StringIO()
    call_command("demo-data", force=True, verbosity=0, stdout=out, **options)
    return out.getvalue()


def _counts() -> dict[str, int]:
    from liuyan.board import models

    return {name: getattr(models, name).objects.count() for name in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo world for the whole module, rolled back at the end (it takes a few seconds)."""
    from liuyan.directory.selectors import forget_work_calendar

    with django_db_blocker.unblock(), transaction.atomic():
        forget_work_calendar()
        output = _run(messages=MESSAGES, seed=5)
        yield output
        transaction.set_rollback(True)
    forget_work_calendar()


@pytest.fixture
def calendar(demo, db):
    from liuyan.directory.selectors import work_calendar

    return work_calendar()


pytestmark = pytest.mark.django_db


def test_every_state_occurs(demo):
    from liuyan.board.models import Message

    states = set(Message.objects.values_list("state", flat=True))
    assert states == {state.value for state in State}
    assert Message.objects.count() == MESSAGES


def test_timelines_are_complete_and_ordered(demo):
    from liuyan.board.models import Event, Message

    events = defaultdict(list)
    for row in Event.objects.order_by("message_id", "seq").values_list(
        "message_id", "seq", "at", "from_state", "to_state", "action"
    ):
        events[row[0]].append(row[1:])
    for message_id, state in Message.objects.values_list("pk", "state"):
        timeline = events[message_id]
        assert [seq for seq, *_ in timeline] == list(range(1, len(timeline) + 1))
        times = [at for _, at, *_ in timeline]
        assert times == sorted(times) and len(set(times)) == len(times), message_id
        assert timeline[0][4] == "submit"
        for before, after in pairwise(timeline):
            assert after[2] == before[3], (message_id, before, after)  # from = previous to
        assert timeline[-1][3] == state


def _is_deadline(calendar, moment: datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    return calendar.is_working_day(local.date()) and local.time() == END_OF_DAY


def test_deadlines_fall_at_the_end_of_working_days(demo, calendar):
    from liuyan.board.models import Assignment, Message, Supervision

    deadlines = [
        *Assignment.objects.values_list("accept_by", flat=True),
        *Assignment.objects.exclude(reply_by=None).values_list("reply_by", flat=True),
        *Message.objects.values_list("screen_by", flat=True),
        *Supervision.objects.values_list("due_at", flat=True),
    ]
    assert deadlines
    wrong = [d for d in deadlines if not _is_deadline(calendar, d)]
    assert not wrong


STAFF_ROLES = ("moderator", "handler", "head")


def test_staff_act_in_office_hours_and_times_are_whole_seconds(demo, calendar):
    """Moderators and units work 08:30-18:00 on working days (a reply's publication may follow
    its approval a second later), except in the last weeks, where a step that office hours
    would put after now happens between the previous one and now instead. Every simulated
    time is a whole second."""
    from django.utils import timezone

    from liuyan.board.models import Event

    settled = timezone.now() - timedelta(days=30)
    staff_times = Event.objects.filter(actor_role__in=STAFF_ROLES, at__lt=settled)
    staff_times = list(staff_times.values_list("at", flat=True))
    assert len(staff_times) > MESSAGES
    outside = []
    for moment in staff_times:
        local = moment.astimezone(SHANGHAI)
        minute = local.hour * 60 + local.minute
        if not (calendar.is_working_day(local.date()) and 8 * 60 + 30 <= minute <= 18 * 60):
            outside.append(local)
    assert not outside
    all_times = list(Event.objects.values_list("at", flat=True))
    assert all(moment.microsecond == 0 for moment in all_times)


def test_one_active_lead_while_handling_and_none_when_finished(demo):
    from liuyan.board.models import Assignment, Message

    active = defaultdict(list)
    for message_id, kind in Assignment.objects.filter(
        state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("message_id", "kind"):
        active[message_id].append(kind)
    for message_id, state in Message.objects.values_list("pk", "state"):
        if state in HANDLING_STATES:
            assert active[message_id].count("lead") == 1, (message_id, state)
        if state in TERMINAL_STATES:
            assert not active[message_id], (message_id, state)


def test_replies_ratings_and_dates_match_the_state(demo):
    from liuyan.board.models import Message, Reply

    published = set(Reply.objects.filter(state="published").values_list("message_id", flat=True))
    for message in Message.objects.all():
        if message.state in ("replied", "closed") and message.reject_reason == "":
            assert message.pk in published
        if message.state == "replied":
            assert message.replied_at and message.rate_by > message.replied_at
        if message.state in TERMINAL_STATES:
            assert message.closed_at is not None
        else:
            assert message.closed_at is None
    assert Reply.objects.filter(state__in=["under_review", "awaiting_signoff"]).exists()


def test_private_urgent_and_hotline_messages_exist(demo):
    from liuyan.board.models import Message

    assert Message.objects.filter(is_public=False).exists()
    hotline = Message.objects.filter(channel="hotline")
    assert hotline.exists()
    assert not hotline.filter(entered_by=None).exists()
    assert Message.objects.filter(serial__regex=r"^\d{14}$").count() == MESSAGES


def test_neighbours_take_up_recent_topics_so_hot_issues_can_form(demo):
    # simulator.FOLLOW_SHARE of new messages write about the problem and place of a message from
    # the last FOLLOW_DAYS days. By chance alone (the same county, place pool entry and problem
    # within two weeks) this would happen to a few messages only.
    from liuyan.board.models import Message
    from liuyan.demo.simulator import FOLLOW_DAYS

    seen: dict[tuple, list] = defaultdict(list)
    followers = 0
    rows = Message.objects.exclude(state=State.DUPLICATE).order_by("submitted_at")
    for region, place, domain, author, at in rows.values_list(
        "region_id", "place", "domain_id", "author_id", "submitted_at"
    ):
        earlier = seen[(region, place, domain)]
        if any(at - then <= timedelta(days=FOLLOW_DAYS) for then, _ in earlier):
            followers += 1
        earlier.append((at, author))
    assert followers >= 0.08 * rows.count()


def test_second_run_changes_nothing_and_prints_logins(demo):
    before = _counts()
    output = _run()
    assert _counts() == before
    for username in ("demo-citizen", "demo-moderator", "demo-handler", "demo-head"):
        assert username in output
    for username in ("demo-leader", "demo-operator", "demo-admin", "liuyan-demo"):
        assert username in output
    assert "demo-admin" in demo  # the first run prints them too


def test_reset_replaces_the_demo_messages(demo):
    from liuyan.board.models import Message

    _run(reset=True, messages=40, seed=9)
    assert Message.objects.count() == 40


def test_demo_messages_are_indexed_for_search(demo):
    from liuyan.board.models import Message

    message = Message.objects.exclude(state="rejected").first()
    words = message.search_text.split()
    assert words and any(word in message.public_title for word in words)


def test_parallel_generation_writes_consistent_rows(demo):
    """Forked workers simulate whole days with their own id ranges; the rows they return must
    fit together: no clashing ids or serials, complete timelines, every message indexed."""
    from liuyan.board.models import Event, Message
    from liuyan.demo import parallel
    from liuyan.demo.generate import generate_messages

    if not parallel.can_fork():
        pytest.skip("needs fork and more than one CPU")
    before = set(Message.objects.values_list("pk", flat=True))
    original_chunk = parallel.CHUNK
    parallel.CHUNK = 60  # several chunks, so several workers and id ranges, in a small run
    try:
        outcome = generate_messages(400, seed=11, processes=2)
    finally:
        parallel.CHUNK = original_chunk
    new = Message.objects.exclude(pk__in=before)
    assert new.count() == 400 == outcome.messages
    assert len(set(new.values_list("serial", flat=True))) == 400
    assert sum(outcome.states.values()) == 400
    for message in new.only("pk", "state", "search_text"):
        seqs = list(Event.objects.filter(message=message).values_list("seq", "to_state"))
        assert [seq for seq, _ in seqs] == list(range(1, len(seqs) + 1))
        assert seqs[-1][1] == message.state
        assert message.search_text


def test_a_countys_places_are_the_same_in_every_process():
    """Workers of a load test and later runs must name a county's compounds alike; a pool
    built through a set once changed order with the hash seed."""
    import os
    import subprocess
    import sys

    code = (
        "from liuyan.demo.places import place_pool;"
        "print('|'.join(place_pool('estate', '岳麓区') + place_pool('road', '岳麓区')))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1
    places = outputs.pop().strip().split("|")
    assert len(places) == len(set(places)) > 10  # distinct names, pools of several each


def test_every_demo_hot_issue_place_is_a_whole_name_of_its_messages(demo, monkeypatch):
    # Issue #18: places read like "子入学学区岳麓黄土幼儿园", fragments of sentences. A place is
    # now a name some member writes, beginning and ending between two words.
    from django.db.models import Max

    from liuyan.board.models import Message
    from liuyan.insight.places import whole_in
    from liuyan.insight.text import normalize
    from liuyan.reports import services
    from liuyan.reports.models import HotIssue
    from liuyan.reports.services import refresh_hot_issues

    # Every demo message, not the last 30 days: the 300 messages are spread over 18 months
    # counted back from the wall clock, so the usual window held 15-20 of them and 3 to 6 issues
    # depending on the hour the test ran.
    monkeypatch.setattr(services, "WINDOW_DAYS", 600)
    with transaction.atomic():
        refresh_hot_issues(now=Message.objects.aggregate(last=Max("submitted_at"))["last"])
        issues = list(HotIssue.objects.prefetch_related("messages"))
        assert len(issues) >= 5
        bad = [
            issue.place
            for issue in issues
            if issue.place
            and not any(
                whole_in(issue.place, normalize(f"{m.title} {m.body}"))
                for m in issue.messages.all()
            )
        ]
        assert not bad, bad
        transaction.set_rollback(True)


def test_demo_has_a_running_and_a_closed_campaign_with_themes_and_decisions(demo):
    from django.utils import timezone

    from liuyan.campaigns.models import Campaign, Decision
    from liuyan.demo.campaigns import demo_campaigns

    now = timezone.now()
    campaigns = {c.status_at(now): c for c in demo_campaigns()}
    assert set(campaigns) == {Campaign.Status.RUNNING, Campaign.Status.CLOSED}
    for campaign in campaigns.values():
        assert campaign.suggestions.count() >= 100
        assert campaign.themes.count() >= 3
    closed = campaigns[Campaign.Status.CLOSED]
    adopted = Decision.objects.filter(suggestion__campaign=closed, outcome__in=Decision.ADOPTING)
    assert adopted.exists()
    with_phone = closed.suggestions.filter(body__contains="联系电话", status="published")
    assert all(s.public_body != s.body for s in with_phone)  # the number is masked
    # The generated suggestions are indexed like screened ones: a word of one finds it.
    from liuyan.board.search import query_words
    from liuyan.campaigns.search import search_suggestions

    listed = closed.suggestions.filter(status="published", is_public=True).first()
    word = max(query_words(listed.public_title), key=len)
    hits, _more = search_suggestions(word, campaign_id=closed.pk, limit=200)
    assert listed.pk in {hit.suggestion.pk for hit in hits}
