"""Two people acting on one message at the same moment, on PostgreSQL's real row locks.

Each service locks the message row before it checks the step. To make the race certain rather
than lucky, the lifecycle check is slowed down: without the lock both threads would pass the
check on the old state and both would write.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from liuyan.board import services as s
from liuyan.board.models import Assignment, Event, Message
from liuyan.board.services import _steps
from liuyan.core.lifecycle import LifecycleError, State

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BODY = "小区电梯频繁故障，老人上下楼非常困难，物业一直拖着不修。"


@pytest.fixture
def slow_check(monkeypatch):
    original = _steps._check

    def check_slowly(*args, **kwargs):
        transition = original(*args, **kwargs)
        time.sleep(0.3)  # the other thread arrives while this one is between check and write
        return transition

    monkeypatch.setattr(_steps, "_check", check_slowly)


def run_together(*calls):
    """Run each call in its own thread and connection, released at the same instant."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except LifecycleError as refused:
            outcomes[index] = refused
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def dispatched(world):
    m = s.submit_message(
        author=world.citizen, board=world.board, type="help", title="电梯频繁故障", body=BODY
    )
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau)
    return m


def test_two_handlers_accepting_at_once_accept_once(world, slow_check):
    m = dispatched(world)
    lead = Assignment.objects.get(message=m, kind="lead")
    outcomes = run_together(
        lambda: s.accept_assignment(assignment_id=lead.pk, actor=world.handler),
        lambda: s.accept_assignment(assignment_id=lead.pk, actor=world.head),
    )
    refused = [o for o in outcomes if isinstance(o, LifecycleError)]
    assert len(refused) == 1, outcomes
    assert Event.objects.filter(message=m, action="accept").count() == 1
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED


def test_return_and_transfer_at_once_leave_one_consistent_outcome(world, slow_check):
    m = dispatched(world)
    lead = Assignment.objects.get(message=m, kind="lead")
    run_together(
        lambda: s.return_assignment(assignment_id=lead.pk, actor=world.handler, reason="非本单位"),
        lambda: s.transfer_assignment(
            assignment_id=lead.pk, actor=world.head, to_unit=world.district_office
        ),
    )
    m.refresh_from_db()
    active_leads = m.assignments.filter(kind="lead", state__in=["pending", "accepted"]).count()
    assert (m.state, active_leads) in {(State.SUBMITTED, 0), (State.DISPATCHED, 1)}
    events = list(Event.objects.filter(message=m).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].to_state == m.state


def test_rating_and_automatic_closing_at_once(world, slow_check):
    m = dispatched(world)
    lead = Assignment.objects.get(message=m, kind="lead")
    s.accept_assignment(assignment_id=lead.pk, actor=world.handler)
    reply = s.submit_reply(assignment_id=lead.pk, actor=world.handler, body="已督促物业维修。")
    s.approve_reply(reply_id=reply.pk, actor=world.moderator)
    m.refresh_from_db()
    almost_over = m.rate_by  # the citizen rates in the last instant; the tick runs just after
    outcomes = run_together(
        lambda: s.rate_reply(
            message_id=m.pk, actor=world.citizen, solved=False, attitude=2, speed=2, now=almost_over
        ),
        lambda: s.auto_close_unrated(now=almost_over + timedelta(seconds=1)),
    )
    m.refresh_from_db()
    rated = Event.objects.filter(message=m, action__startswith="rate").count()
    closed = Event.objects.filter(message=m, action="auto_close").count()
    assert rated + closed == 1, outcomes
    assert m.state == (State.REVIEW if rated else State.CLOSED)


def test_simultaneous_submissions_get_distinct_serials(world):
    outcomes = run_together(
        *[
            lambda: s.submit_message(
                author=world.citizen,
                board=world.board,
                type="help",
                title="电梯频繁故障",
                body=BODY,
            )
            for _ in range(4)
        ]
    )
    serials = [o.serial for o in outcomes]
    assert len(set(serials)) == 4, serials
