"""The unit desk's queues list in the order of the deadline that matters on each tab, page after
page, and the open follow-up questions are only those the scope's own units owe."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from liuyan.board import services
from liuyan.board.access import staff_scope
from liuyan.board.models import Assignment, FollowUp
from liuyan.core.lifecycle import AssignmentState, FollowUpState
from liuyan.desk.selectors import open_follow_ups
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = pytest.mark.django_db

STATES = [
    AssignmentState.PENDING,
    AssignmentState.ACCEPTED,
    AssignmentState.DONE,
    AssignmentState.CANCELLED,
    AssignmentState.RETURNED,
    AssignmentState.TRANSFERRED,
    AssignmentState.CONTRIBUTED,
]


def _deadline_now(assignment):
    if assignment.state == AssignmentState.PENDING:
        return assignment.accept_by
    if assignment.state == AssignmentState.ACCEPTED:
        return assignment.reply_by
    return assignment.created_at


def _seed_assignments(world, count=190):
    """Assignments of the bureau in every state, with deadlines and creation times that
    disagree with each other and with the ids, and ties, so that any other order shows."""
    message = submit(world)
    start = timezone.now() - timedelta(days=200)
    rows = []
    for i in range(count):
        rows.append(
            Assignment(
                message=message,
                board_id=message.board_id,
                unit=world.bureau,
                kind="lead" if i % 4 else "co",
                state=STATES[i % len(STATES)],
                round=1,
                created_at=start + timedelta(hours=(i * 37) % 50),
                accept_by=start + timedelta(hours=(i * 11) % 23 + 5),
                reply_by=start + timedelta(hours=(i * 13) % 29 + 3),
            )
        )
    Assignment.objects.bulk_create(rows)
    return Assignment.objects.filter(message=message, unit=world.bureau)


TABS = {
    "open": {AssignmentState.PENDING, AssignmentState.ACCEPTED},
    "pending": {AssignmentState.PENDING},
    "accepted": {AssignmentState.ACCEPTED},
    "finished": set(STATES) - {AssignmentState.PENDING, AssignmentState.ACCEPTED},
}


@pytest.mark.parametrize("tab", sorted(TABS))
def test_each_inbox_tab_lists_by_its_deadline_then_id_across_pages(client, world, tab):
    seeded = [a for a in _seed_assignments(world) if a.state in TABS[tab]]
    expected = [a.pk for a in sorted(seeded, key=lambda a: (_deadline_now(a), a.pk))]

    client.force_login(world.handler)
    listed, cursor = [], None
    for _ in range(10):
        params = {"state": tab} | ({"after": cursor} if cursor else {})
        response = client.get(reverse("desk:inbox"), params)
        page = response.context["page"]
        listed += [a.pk for a, _ in response.context["rows"]]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert listed == expected


def _replied(world, unit, handler):
    message = submit(world)
    assignment = dispatch(world, message, unit)
    services.accept_assignment(assignment_id=assignment.pk, actor=handler)
    reply = services.submit_reply(assignment_id=assignment.pk, actor=handler, body=REPLY)
    services.approve_reply(reply_id=reply.pk, actor=world.moderator)
    return message, assignment


def test_a_follow_up_is_owed_by_the_unit_of_the_answering_assignment(world):
    message, assignment = _replied(world, world.bureau, world.handler)
    question = services.follow_up(message_id=message.pk, actor=world.citizen, body="什么时候修好？")
    assert question.assignment == assignment and question.unit == world.bureau


def test_open_follow_ups_of_other_units_are_never_shown(client, world):
    ours_message, _ = _replied(world, world.bureau, world.handler)
    theirs_message, _ = _replied(world, world.other_unit, world.other_handler)
    ours = services.follow_up(message_id=ours_message.pk, actor=world.citizen, body="我们的追问")
    theirs = services.follow_up(message_id=theirs_message.pk, actor=world.citizen, body="别处追问")
    # An answered question is no longer owed.
    services.answer_follow_up(follow_up_id=ours.pk, actor=world.handler, body="已处理完毕。")
    still_owed = services.follow_up(message_id=ours_message.pk, actor=world.citizen, body="再问")

    assert [q.pk for q in open_follow_ups(staff_scope(world.handler))] == [still_owed.pk]
    assert [q.pk for q in open_follow_ups(staff_scope(world.other_handler))] == [theirs.pk]
    client.force_login(world.handler)
    shown = [q.pk for q, _ in client.get(reverse("desk:inbox")).context["follow_ups"]]
    assert shown == [still_owed.pk]
    assert FollowUp.objects.get(pk=ours.pk).state == FollowUpState.UNDER_REVIEW


def test_the_migration_gives_existing_follow_ups_their_assignments_unit(world):
    message, assignment = _replied(world, world.bureau, world.handler)
    asked = services.follow_up(message_id=message.pk, actor=world.citizen, body="什么时候修好？")
    unowed = FollowUp.objects.create(
        message=message, body="无人应答", public_body="无人应答", created_at=timezone.now()
    )
    FollowUp.objects.update(unit=None)

    migration = importlib.import_module(
        "liuyan.board.migrations.0014_follow_up_unit_and_queue_indexes"
    )
    migration.copy_follow_up_units(apps, None)

    assert FollowUp.objects.get(pk=asked.pk).unit_id == assignment.unit_id
    assert FollowUp.objects.get(pk=unowed.pk).unit_id is None
