"""A board's leader sees the public messages of the other boards of their region (where the
board allows it), on the desk pages and in access alike; private messages stay with the leaders
of their own board."""

import pytest
from django.urls import reverse

from liuyan.board import access
from liuyan.core.lifecycle import Role
from liuyan.directory.models import Board, Membership
from tests.conftest import _user
from tests.desk.conftest import dispatch, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def boards(world):
    secretary = Board.objects.create(
        name="长沙市市委书记", kind="leader", region=world.city, post="市委书记"
    )
    county = Board.objects.create(name="长沙县县长", kind="leader", region=world.county)
    closed = Board.objects.create(
        name="长沙市信访局",
        kind="body",
        region=world.city,
        visible_to_region_leaders=False,
    )
    public = submit(world, board=secretary, title="市委书记板块的公开留言")
    private = submit(world, board=secretary, title="市委书记板块的私密留言", is_public=False)
    in_county = submit(world, board=county, title="县长板块的公开留言")
    not_shared = submit(world, board=closed, title="不共享板块的公开留言")
    for message in (public, private, in_county, not_shared):
        dispatch(world, message, world.bureau)
        message.refresh_from_db()
    secretary_leader = _user("secretary")
    Membership.objects.create(user=secretary_leader, role="leader", board=secretary)
    return {
        "public": public,
        "private": private,
        "in_county": in_county,
        "not_shared": not_shared,
        "secretary_leader": secretary_leader,
    }


def test_the_mayor_sees_the_public_messages_of_the_citys_other_boards(world, boards):
    led = set(access.led_messages(access.staff_scope(world.leader)))
    assert boards["public"] in led
    assert boards["in_county"] in led  # a board of a region below the city
    assert boards["private"] not in led
    assert boards["not_shared"] not in led
    assert Role.LEADER in access.roles_for(world.leader, boards["public"])
    assert Role.LEADER not in access.roles_for(world.leader, boards["private"])
    assert not access.can_view(world.leader, boards["private"])


def test_a_private_message_is_still_seen_by_its_own_boards_leader(world, boards):
    leader = boards["secretary_leader"]
    assert access.can_view(leader, boards["private"])
    assert boards["private"] in set(access.led_messages(access.staff_scope(leader)))


def test_leaders_of_another_city_see_none_of_it(world, boards):
    led = set(access.led_messages(access.staff_scope(world.other_leader)))
    assert not led & {boards["public"], boards["private"], boards["in_county"]}


def test_leader_pages_agree_with_access(client, world, boards):
    client.force_login(world.leader)
    listing = client.get(reverse("desk:leader_messages")).content.decode()
    assert "市委书记板块的公开留言" in listing
    assert "私密留言" not in listing
    page = client.get(reverse("desk:leader_message", args=[boards["public"].pk]))
    assert page.status_code == 200
    private = client.get(reverse("desk:leader_message", args=[boards["private"].pk]))
    assert private.status_code == 404
