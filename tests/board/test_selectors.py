"""Overdue and due-soon are derived from deadlines at read time, never stored."""

from datetime import timedelta

import pytest

from liuyan.board import selectors
from liuyan.board import services as s
from liuyan.board.models import Assignment, Message
from tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

BODY = "垃圾清运不及时，小区门口垃圾堆积如山，气味难闻，影响居民生活。"


def dispatched(world, **extra):
    m = s.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="垃圾清运不及时",
        body=BODY,
        now=MONDAY,
        **extra,
    )
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau, now=MONDAY)
    return Assignment.objects.get(message=m, kind="lead")


def test_pending_assignment_becomes_due_soon_then_overdue(world):
    lead = dispatched(world)  # accept by the end of Monday 2026-03-09
    on_time = MONDAY + timedelta(days=1)
    friday = MONDAY + timedelta(days=4)
    after = lead.accept_by + timedelta(seconds=1)
    assert selectors.deadline_status(lead, now=on_time) == "on_time"
    assert selectors.deadline_status(lead, now=friday) == "due_soon"
    assert selectors.deadline_status(lead, now=after) == "overdue"
    assert list(selectors.overdue_assignments(now=after)) == [lead]
    assert list(selectors.due_soon_assignments(now=friday)) == [lead]
    assert not selectors.overdue_assignments(now=on_time).exists()


def test_working_days_left_counts_down_and_goes_negative(world):
    lead = dispatched(world)
    assert selectors.working_days_left(lead, now=MONDAY) == 5
    assert selectors.working_days_left(lead, now=MONDAY + timedelta(days=9)) == -2


def test_accepted_assignment_is_judged_by_its_reply_deadline(world):
    lead = dispatched(world)
    s.accept_assignment(assignment_id=lead.pk, actor=world.handler, now=MONDAY)
    lead.refresh_from_db()
    late = lead.reply_by + timedelta(hours=1)
    assert selectors.deadline_status(lead, now=late) == "overdue"
    assert list(selectors.overdue_assignments(now=late)) == [lead]


def test_screening_overdue_after_one_working_day(world):
    m = s.submit_message(
        author=world.citizen,
        board=world.board,
        type="help",
        title="垃圾清运不及时",
        body=BODY,
        now=MONDAY,
    )
    assert not selectors.overdue_screening(now=MONDAY + timedelta(hours=20)).exists()
    assert list(selectors.overdue_screening(now=MONDAY + timedelta(days=2))) == [m]


def test_public_messages_hide_private_and_unscreened_ones(world):
    public = dispatched(world).message
    private = dispatched(world, is_public=False).message
    unscreened = s.submit_message(
        author=world.citizen, board=world.board, type="help", title="垃圾清运不及时", body=BODY
    )
    ids = set(selectors.public_messages().values_list("pk", flat=True))
    assert public.pk in ids and private.pk not in ids and unscreened.pk not in ids


def test_visible_message_or_none_hides_private_messages_from_strangers(world):
    private = dispatched(world, is_public=False).message
    assert selectors.visible_message_or_none(world.other_citizen, private.pk) is None
    assert selectors.visible_message_or_none(world.other_handler, private.pk) is None
    assert selectors.visible_message_or_none(world.other_leader, private.pk) is None
    for allowed in (world.citizen, world.handler, world.head, world.moderator, world.leader):
        assert selectors.visible_message_or_none(allowed, private.pk) == private
    assert Message.objects.filter(pk=private.pk, is_public=False).exists()


def test_a_region_leader_without_the_board_does_not_see_a_private_message(world):
    from liuyan.directory.models import Membership

    region_leader = world.other_citizen
    Membership.objects.create(user=region_leader, role="leader", region=world.province)
    private = dispatched(world, is_public=False).message
    assert selectors.visible_message_or_none(region_leader, private.pk) is None
    assert selectors.visible_message_or_none(world.leader, private.pk) == private


def test_visible_messages_agrees_with_can_view_for_every_person(world):
    """The one-query filter and the per-message rule must never disagree."""
    from liuyan.board.access import can_view, visible_messages
    from liuyan.directory.models import Membership

    Membership.objects.create(user=world.other_citizen, role="leader", region=world.province)
    messages = [
        dispatched(world, is_public=False).message,
        dispatched(world, is_public=True).message,
        s.submit_message(
            author=world.citizen, board=world.board, type="help", title="垃圾清运不及时", body=BODY
        ),
    ]
    sub = dispatched(world, is_public=False).message
    lead = sub.assignments.get()
    s.accept_assignment(assignment_id=lead.pk, actor=world.handler)
    s.transfer_assignment(assignment_id=lead.pk, actor=world.handler, to_unit=world.district_office)
    messages.append(sub)  # now handled by a sub-unit: its head and both units' handlers see it
    people = [
        None,
        world.citizen,
        world.other_citizen,
        world.moderator,
        world.city_moderator,
        world.handler,
        world.head,
        world.sub_handler,
        world.other_handler,
        world.leader,
        world.other_leader,
        world.operator,
        world.admin,
    ]
    ids = [m.pk for m in messages]
    for person in people:
        expected = {m.pk for m in messages if can_view(person, m)}
        got = set(
            visible_messages(person, Message.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        assert got == expected, person
