"""Every staff role reaches the desk with two factors; the citizen sign-in never opens it."""

import pytest
from django.urls import reverse

from liuyan.accounts.sessions import AUTH_LEVEL, BY_CODE, BY_PASSWORD, BY_STAFF_PASSWORD

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["handler", "head", "leader", "operator", "moderator", "admin"]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_is_asked_for_the_authenticator_code(client, world, role):
    user = getattr(world, role)
    response = client.post(
        reverse("accounts:staff_login"),
        {"username": user.username, "password": f"pw-{user.username}"},
    )
    assert response["Location"] == reverse("accounts:staff_second_factor")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["handler", "head", "leader", "operator"])
def test_the_citizen_sms_sign_in_never_opens_the_desk(english, world, last_code, role):
    user = getattr(world, role)
    user.phone = "13700000077"
    user.save()
    english.post(reverse("accounts:request_code"), {"phone": user.phone})

    response = english.post(
        reverse("accounts:verify_code"), {"phone": user.phone, "code": last_code(user.phone)}
    )

    assert "staff sign-in page" in response.content.decode()
    assert "_auth_user_id" not in english.session
    desk = english.get(reverse("desk:home"))
    assert desk.status_code == 302 and reverse("accounts:staff_login") in desk["Location"]


@pytest.mark.parametrize("role", ["handler", "head", "leader", "operator"])
def test_the_citizen_password_form_never_opens_the_desk(english, world, role):
    user = getattr(world, role)
    user.phone = "13700000078"
    user.save()
    response = english.post(
        reverse("accounts:password_login"),
        {"phone": user.phone, "password": f"pw-{user.username}"},
    )
    assert "staff sign-in page" in response.content.decode()
    assert "_auth_user_id" not in english.session


@pytest.mark.parametrize("level", [BY_CODE, BY_PASSWORD, BY_STAFF_PASSWORD, None])
def test_a_one_factor_session_of_a_handler_is_ended_at_the_desk(client, world, level):
    client.force_login(world.handler)
    session = client.session
    if level is None:
        session.pop(AUTH_LEVEL, None)
    else:
        session[AUTH_LEVEL] = level
    session.save()

    response = client.get(reverse("desk:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert "_auth_user_id" not in client.session


def test_a_citizen_session_is_not_troubled_by_the_second_factor(client, world):
    client.force_login(world.citizen)
    session = client.session
    session[AUTH_LEVEL] = BY_CODE
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200
