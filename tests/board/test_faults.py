"""Faults leave nothing half done: the database fails at each write of a lifecycle step in turn,
and afterwards every table holds exactly what it held before the step.

For each step, for k = 1, 2, …, the test makes the k-th write (INSERT, UPDATE, DELETE, including
those run on commit) fail inside the database (the statement is swapped for one that the database
rejects, so PostgreSQL really aborts the transaction), and compares every row of every table with
the snapshot taken before the step. The first k the step does not reach is the real run. The
step must raise, and nothing of it may remain: no state change, no event, no assignment or
deadline, no notification, no queued notification task.

Tests run with real transactions (transaction=True), so `on_commit` hooks fire as in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection

from liuyan.board import services as s
from liuyan.board.models import Assignment, ExtensionRequest, Message, Reply
from liuyan.notifications import services as notifications
from tests.conftest import MONDAY

BODY = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。"
REPLY = "经核查，已安排维修，预计本周内完成。"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Something every database refuses: a table that does not exist.
FAILING_SQL = "SELECT * FROM liuyan_fault_injected_here"


class FailAtWrite:
    """Lets the first k-1 writes through and makes the database reject the k-th."""

    def __init__(self, k: int):
        self.k, self.seen, self.failed = k, 0, False

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.seen += 1
            if self.seen == self.k:
                self.failed = True
                return execute(FAILING_SQL, None, False, context)
        return execute(sql, params, many, context)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)  # a name from the catalogue itself
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [table for table in after if before.get(table) != after[table]]


# --- a message at each stage of its life ------------------------------------------------


def submitted(w, **extra) -> Message:
    fields = dict(author=w.citizen, board=w.board, type="complaint", title="小区路灯长期不亮")
    fields.update(extra)
    return s.submit_message(body=BODY, now=MONDAY, **fields)


def dispatched(w, unit=None, co_units=()) -> Message:
    m = submitted(w)
    s.dispatch_message(
        message_id=m.pk,
        actor=w.moderator,
        lead_unit=unit or w.bureau,
        co_units=co_units,
        now=MONDAY,
    )
    return m


def lead(m: Message) -> Assignment:
    return m.assignments.filter(kind="lead").order_by("-id").first()


def accepted(w, unit=None, handler=None) -> Message:
    m = dispatched(w, unit=unit)
    s.accept_assignment(assignment_id=lead(m).pk, actor=handler or w.handler, now=MONDAY)
    return m


def awaiting_signoff(w) -> Reply:
    m = accepted(w, unit=w.signoff_unit, handler=w.signoff_handler)
    return s.submit_reply(assignment_id=lead(m).pk, actor=w.signoff_handler, body=REPLY, now=MONDAY)


def under_review(w) -> Reply:
    m = accepted(w)
    return s.submit_reply(assignment_id=lead(m).pk, actor=w.handler, body=REPLY, now=MONDAY)


def replied(w) -> Message:
    reply = under_review(w)
    s.approve_reply(reply_id=reply.pk, actor=w.moderator, now=MONDAY)
    return reply.message


def in_review(w) -> Message:
    m = replied(w)
    s.rate_reply(message_id=m.pk, actor=w.citizen, solved=False, attitude=2, speed=2, now=MONDAY)
    return m


def extension_asked(w) -> ExtensionRequest:
    m = accepted(w)
    return s.request_extension(
        assignment_id=lead(m).pk, actor=w.handler, reason="需要现场勘查", days=5, now=MONDAY
    )


def accepted_with_co_unit(w) -> Message:
    m = dispatched(w, co_units=[w.signoff_unit])
    s.accept_assignment(assignment_id=lead(m).pk, actor=w.handler, now=MONDAY)
    return m


def co_assignment(m: Message) -> Assignment:
    return m.assignments.get(kind="co")


# Each entry sets a message up and returns the step under test, ready to run.
STEPS: dict[str, Callable[[object], Callable[[], object]]] = {
    "submit": lambda w: lambda: submitted(w),
    "submit by operator with contact": lambda w: (
        lambda: submitted(
            w, entered_by=w.operator, contact={"name": "王先生", "phone": "13900000000"}
        )
    ),
    "screen": lambda w: (
        lambda m: (
            lambda: s.screen_message(
                message_id=m.pk, actor=w.moderator, public_body=BODY + "（已审）", now=MONDAY
            )
        )
    )(submitted(w)),
    "reject": lambda w: (
        lambda m: (
            lambda: s.reject_message(
                message_id=m.pk, actor=w.moderator, reason="other", note="内容不完整", now=MONDAY
            )
        )
    )(submitted(w)),
    "mark duplicate": lambda w: (
        lambda original, m: (
            lambda: s.mark_duplicate(
                message_id=m.pk, original_id=original.pk, actor=w.moderator, now=MONDAY
            )
        )
    )(submitted(w), submitted(w)),
    "dispatch with co-units": lambda w: (
        lambda m: (
            lambda: s.dispatch_message(
                message_id=m.pk,
                actor=w.moderator,
                lead_unit=w.bureau,
                co_units=[w.signoff_unit],
                now=MONDAY,
            )
        )
    )(submitted(w)),
    "redispatch": lambda w: (
        lambda m: (
            lambda: s.dispatch_message(
                message_id=m.pk, actor=w.moderator, lead_unit=w.signoff_unit, now=MONDAY
            )
        )
    )(dispatched(w)),
    "accept": lambda w: (
        lambda m: lambda: s.accept_assignment(assignment_id=lead(m).pk, actor=w.handler, now=MONDAY)
    )(dispatched(w)),
    "return to moderators": lambda w: (
        lambda m: (
            lambda: s.return_assignment(
                assignment_id=lead(m).pk, actor=w.handler, reason="不属于本单位职责", now=MONDAY
            )
        )
    )(accepted(w)),
    "transfer": lambda w: (
        lambda m: (
            lambda: s.transfer_assignment(
                assignment_id=lead(m).pk, actor=w.handler, to_unit=w.district_office, now=MONDAY
            )
        )
    )(dispatched(w)),
    "invite co-units": lambda w: (
        lambda m: (
            lambda: s.invite_co_units(
                assignment_id=lead(m).pk, actor=w.handler, units=[w.signoff_unit], now=MONDAY
            )
        )
    )(accepted(w)),
    "contribute": lambda w: (
        lambda m: (
            lambda: s.contribute(
                assignment_id=co_assignment(m).pk,
                actor=w.signoff_handler,
                body="我局已配合核查",
                now=MONDAY,
            )
        )
    )(accepted_with_co_unit(w)),
    "request extension": lambda w: (
        lambda m: (
            lambda: s.request_extension(
                assignment_id=lead(m).pk, actor=w.handler, reason="需要现场勘查", days=5, now=MONDAY
            )
        )
    )(accepted(w)),
    "approve extension": lambda w: (
        lambda r: (
            lambda: s.decide_extension(request_id=r.pk, actor=w.moderator, approve=True, now=MONDAY)
        )
    )(extension_asked(w)),
    "deny extension": lambda w: (
        lambda r: (
            lambda: s.decide_extension(
                request_id=r.pk, actor=w.moderator, approve=False, note="理由不足", now=MONDAY
            )
        )
    )(extension_asked(w)),
    "draft reply": lambda w: (
        lambda m: (
            lambda: s.save_reply_draft(
                assignment_id=lead(m).pk, actor=w.handler, body=REPLY, now=MONDAY
            )
        )
    )(accepted(w)),
    "submit reply": lambda w: (
        lambda m: (
            lambda: s.submit_reply(
                assignment_id=lead(m).pk, actor=w.handler, body=REPLY, now=MONDAY
            )
        )
    )(accepted(w)),
    "submit reply for sign-off": lambda w: (
        lambda m: (
            lambda: s.submit_reply(
                assignment_id=lead(m).pk, actor=w.signoff_handler, body=REPLY, now=MONDAY
            )
        )
    )(accepted(w, unit=w.signoff_unit, handler=w.signoff_handler)),
    "sign off": lambda w: (
        lambda r: lambda: s.sign_off_reply(reply_id=r.pk, actor=w.signoff_head, now=MONDAY)
    )(awaiting_signoff(w)),
    "refuse sign-off": lambda w: (
        lambda r: (
            lambda: s.refuse_signoff(
                reply_id=r.pk, actor=w.signoff_head, reason="请补充办理时限", now=MONDAY
            )
        )
    )(awaiting_signoff(w)),
    "approve reply (publish)": lambda w: (
        lambda r: lambda: s.approve_reply(reply_id=r.pk, actor=w.moderator, now=MONDAY)
    )(under_review(w)),
    "return reply": lambda w: (
        lambda r: (
            lambda: s.return_reply(
                reply_id=r.pk, actor=w.moderator, reason="答复过于笼统", now=MONDAY
            )
        )
    )(under_review(w)),
    "rate satisfied": lambda w: (
        lambda m: (
            lambda: s.rate_reply(
                message_id=m.pk, actor=w.citizen, solved=True, attitude=5, speed=5, now=MONDAY
            )
        )
    )(replied(w)),
    "rate unsatisfied": lambda w: (
        lambda m: (
            lambda: s.rate_reply(
                message_id=m.pk,
                actor=w.citizen,
                solved=False,
                attitude=1,
                speed=2,
                comment="没有解决",
                now=MONDAY,
            )
        )
    )(replied(w)),
    "follow up": lambda w: (
        lambda m: (
            lambda: s.follow_up(
                message_id=m.pk, actor=w.citizen, body="请问何时能修好？", now=MONDAY
            )
        )
    )(replied(w)),
    "thank": lambda w: (
        lambda m: lambda: s.thank(message_id=m.pk, actor=w.citizen, body="谢谢，已修好", now=MONDAY)
    )(replied(w)),
    "reopen": lambda w: (
        lambda m: lambda: s.reopen_message(message_id=m.pk, actor=w.moderator, now=MONDAY)
    )(in_review(w)),
    "close": lambda w: (
        lambda m: lambda: s.close_message(message_id=m.pk, actor=w.moderator, now=MONDAY)
    )(in_review(w)),
    "auto-close unrated": lambda w: (
        lambda m: lambda: s.auto_close_unrated(now=MONDAY + timedelta(days=60))
    )(replied(w)),
    "supervise": lambda w: (
        lambda m: (
            lambda: s.supervise(
                message_id=m.pk, actor=w.leader, level="supervision", note="尽快办理", now=MONDAY
            )
        )
    )(accepted(w)),
    "instruct": lambda w: (
        lambda m: (
            lambda: s.instruct(
                message_id=m.pk, actor=w.leader, body="请住建局限期解决", is_public=True, now=MONDAY
            )
        )
    )(accepted(w)),
    # The worker's side: a deadline reminder with the log that makes it go out once (the unit's
    # staff have no e-mail here, so the step is only its writes; sending is tested elsewhere).
    "deadline reminder": lambda w: (
        lambda a: lambda: notifications.remind_once(a, "overdue", a.accept_by, MONDAY)
    )(lead(dispatched(w))),
}


def _run_with_fault(step, k: int) -> tuple[bool, Exception | None]:
    """Run `step` with its k-th write failing: (whether the fault was hit, what it raised)."""
    fault = FailAtWrite(k)
    with connection.execute_wrapper(fault):
        try:
            step()
        except DatabaseError as error:
            return fault.failed, error
    return fault.failed, None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(STEPS))
def test_a_failing_write_leaves_nothing_of_the_step(name, world):
    step = STEPS[name](world)
    before = snapshot()
    # k = 1, 2, … until the step has fewer than k writes and so runs for real. A faulted run
    # that leaves nothing leaves the world as it was, so the next one starts from `before`.
    for k in range(1, 100):
        hit, error = _run_with_fault(step, k)
        left = changed_tables(before, snapshot())
        if not hit:
            assert error is None
            break
        assert error is not None, f"{name}: write {k} failed, but the step went on as if not"
        assert not left, f"{name}: write {k} failed, yet the step left rows in {left}"
    assert k > 2, f"{name}: expected a state change and an event, saw {k - 1} writes"
    assert left, f"{name} changed nothing when nothing failed"
