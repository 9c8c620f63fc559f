"""Leader desk, hotline entry, desk routing and the keyset pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board import access
from liuyan.board.models import Instruction, Message
from liuyan.desk import selectors as sel
from tests.desk.conftest import submit

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("person", "desk_url"),
    [
        ("moderator", "desk:screening"),
        ("admin", "desk:screening"),
        ("handler", "desk:inbox"),
        ("head", "desk:inbox"),
        ("leader", "desk:leader"),
        ("operator", "desk:operator"),
    ],
)
def test_desk_home_routes_by_role(client, world, person, desk_url):
    response = as_(client, getattr(world, person)).get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(desk_url)


def test_leader_overview_counts_only_their_board(client, world, objects):
    response = as_(client, world.leader).get(reverse("desk:leader"))
    overview = response.context["overview"]
    on_board = Message.objects.filter(board=world.board)
    assert overview.new == on_board.filter(state="submitted").count()
    assert (
        overview.in_progress
        == on_board.filter(
            state__in=["dispatched", "accepted", "reply_review", "reopened", "review"]
        ).count()
    )
    assert overview.rated == 1 and overview.satisfaction == 0  # the unsatisfied look-back
    assert sum(n for _, n in response.context["weeks"]) == on_board.count()
    assert "weekly-data" in response.content.decode()


def test_leader_sees_supervised_items_of_their_boards_only(client, world, objects):
    response = as_(client, world.leader).get(reverse("desk:leader_supervision"))
    shown = [s for s, _ in response.context["rows"]]
    assert shown == [objects.supervision]


def test_leader_instructs_with_a_public_choice_and_orders_supervision(client, world, objects):
    m = objects.pending.message
    as_(client, world.leader).post(
        reverse("desk:instruct", args=[m.pk]),
        {"body": "请尽快解决群众反映的问题。", "is_public": "on"},
    )
    instruction = Instruction.objects.get(message=m)
    assert instruction.is_public and instruction.author == world.leader
    client.post(reverse("desk:leader_supervise", args=[m.pk]), {"level": "supervision"})
    assert m.supervisions.get().ordered_by == world.leader


def test_leader_messages_list_is_keyset_paginated(client, world, objects):
    as_(client, world.leader)
    first = client.get(reverse("desk:leader_messages"))
    assert first.context["page"].next_cursor is None  # fewer than a page
    page = sel.keyset_page(
        access.led_messages(access.staff_scope(world.leader)),
        key="submitted_at",
        descending=True,
        size=3,
    )
    rest = sel.keyset_page(
        access.led_messages(access.staff_scope(world.leader)),
        key="submitted_at",
        descending=True,
        size=100,
        cursor=page.next_cursor,
    )
    everything = list(
        access.led_messages(access.staff_scope(world.leader)).order_by("-submitted_at", "-pk")
    )
    assert page.items + rest.items == everything


def test_keyset_page_handles_equal_keys(world):
    now = timezone.now()
    made = [submit(world, now=now) for _ in range(5)]  # the same submitted_at
    queryset = Message.objects.filter(pk__in=[m.pk for m in made])
    seen, cursor = [], None
    while True:
        page = sel.keyset_page(queryset, key="submitted_at", cursor=cursor, size=2)
        seen += [m.pk for m in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(m.pk for m in made)


def test_bounded_count_stops_at_the_limit(world):
    for _ in range(4):
        submit(world)
    assert sel.bounded_count(Message.objects.all(), limit=3) == "3+"
    assert sel.bounded_count(Message.objects.all(), limit=10) == "4"


def test_bounded_count_counts_without_the_models_ordering(world):
    """Message is ordered newest first; an ORDER BY kept inside the capped COUNT made
    PostgreSQL walk the submitted_at index over the whole table at 1M messages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(world)
    with CaptureQueriesContext(connection) as queries:
        assert sel.bounded_count(Message.objects.all(), limit=3) == "1"
    (count,) = [q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"].upper()]
    assert "ORDER BY" not in count.upper()


def test_operator_enters_a_callers_message(client, world):
    response = as_(client, world.operator).post(
        reverse("desk:operator_new"),
        {
            "board": world.board.pk,
            "type": "help",
            "title": "楼道灯坏了无人修",
            "body": "来电人反映所住楼道的灯坏了一个月，物业一直不修，希望有关部门督促。",
            "caller_name": "李女士",
            "caller_phone": "0731-84561234",
        },
    )
    message = Message.objects.get(title="楼道灯坏了无人修")
    assert response["Location"] == reverse("desk:operator_message", args=[message.pk])
    assert (message.channel, message.entered_by, message.author) == (
        "hotline",
        world.operator,
        None,
    )
    assert message.contact.phone == "0731-84561234"
    listed = client.get(reverse("desk:operator"))
    assert message in listed.context["page"].items


def test_operator_form_errors_are_shown_on_the_form(client, world):
    response = as_(client, world.operator).post(reverse("desk:operator_new"), {"title": "短"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Message.objects.exists()


def test_operator_lists_only_what_they_entered(client, world, objects):
    response = as_(client, world.operator).get(reverse("desk:operator"))
    assert [m.pk for m in response.context["page"].items] == [objects.hotline.pk]
