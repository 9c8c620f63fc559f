"""A unit sees the citizen's contact details only while its assignment is active: after it
returned or transferred the message, the details are gone from its pages."""

import pytest
from django.urls import reverse

from liuyan.board import services

from .conftest import BODY, dispatch

pytestmark = pytest.mark.django_db

CONTACT_PHONE = "13955556666"


def with_contact(w):
    return services.submit_message(
        author=w.citizen,
        board=w.board,
        type="complaint",
        title="小区路灯长期不亮",
        body=BODY,
        contact={"phone": CONTACT_PHONE, "name": "刘先生"},
    )


def page(client, user, assignment) -> str:
    client.force_login(user)
    response = client.get(reverse("desk:assignment", args=[assignment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_unit_sees_the_contact_while_its_assignment_is_active(client, world):
    assignment = dispatch(world, with_contact(world), world.bureau)
    assert CONTACT_PHONE in page(client, world.handler, assignment)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    assert CONTACT_PHONE in page(client, world.handler, assignment)


def test_after_returning_the_message_the_unit_no_longer_sees_the_contact(client, world):
    assignment = dispatch(world, with_contact(world), world.bureau)
    services.return_assignment(
        assignment_id=assignment.pk, actor=world.handler, reason="不属于本单位"
    )

    html = page(client, world.handler, assignment)

    assert CONTACT_PHONE not in html and "刘先生" not in html


def test_after_transferring_only_the_new_unit_sees_the_contact(client, world):
    assignment = dispatch(world, with_contact(world), world.bureau)
    child = services.transfer_assignment(
        assignment_id=assignment.pk, actor=world.handler, to_unit=world.district_office
    )

    assert CONTACT_PHONE not in page(client, world.head, assignment)
    assert CONTACT_PHONE not in page(client, world.handler, assignment)
    assert CONTACT_PHONE in page(client, world.sub_handler, child)


def test_a_co_handling_unit_never_sees_the_contact(client, world):
    message = with_contact(world)
    dispatch(world, message, world.bureau, co_units=[world.signoff_unit])
    co = message.assignments.get(unit=world.signoff_unit)
    assert CONTACT_PHONE not in page(client, world.signoff_handler, co)
