import pytest
from django.urls import reverse

from liuyan.accounts.sessions import AUTH_LEVEL, BY_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Liuyan-2026-pass"


def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_saves_nickname_real_name_and_email(client, world):
    client.force_login(world.citizen)
    response = client.post(
        reverse("accounts:profile"),
        {"form": "profile", "nickname": "老王", "real_name": "王大明", "email": "w@example.cn"},
    )
    assert response.status_code == 302
    world.citizen.refresh_from_db()
    assert (world.citizen.nickname, world.citizen.real_name) == ("老王", "王大明")
    assert world.citizen.display_name == "老王"


def test_citizen_sets_a_password_then_signs_in_with_it(english, world):
    world.citizen.set_unusable_password()
    world.citizen.save()
    english.force_login(world.citizen)
    response = english.post(
        reverse("accounts:profile"),
        {"form": "password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert english.get(reverse("accounts:profile")).status_code == 200  # still signed in
    english.post(reverse("accounts:logout"))

    wrong = english.post(
        reverse("accounts:password_login"), {"phone": world.citizen.phone, "password": "nope"}
    )
    assert "wrong" in wrong.content.decode() and "_auth_user_id" not in english.session
    right = english.post(
        reverse("accounts:password_login"),
        {"phone": world.citizen.phone, "password": NEW_PASSWORD},
    )
    assert right.status_code == 302
    assert english.session["_auth_user_id"] == str(world.citizen.pk)
    assert english.session[AUTH_LEVEL] == BY_PASSWORD


def test_a_weak_password_is_refused(english, world):
    english.force_login(world.citizen)
    response = english.post(
        reverse("accounts:profile"),
        {"form": "password", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 400


def test_changing_a_password_needs_the_current_one(english, world):
    english.force_login(world.citizen)
    response = english.post(
        reverse("accounts:profile"),
        {
            "form": "password",
            "current_password": "not-it",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    world.citizen.refresh_from_db()
    assert not world.citizen.check_password(NEW_PASSWORD)


def test_password_sign_in_without_a_password_set_fails(english, world):
    world.citizen.set_unusable_password()
    world.citizen.save()
    response = english.post(
        reverse("accounts:password_login"), {"phone": world.citizen.phone, "password": "x"}
    )
    assert response.status_code == 400


def test_five_wrong_passwords_lock_the_number(english, world):
    for _ in range(5):
        english.post(
            reverse("accounts:password_login"), {"phone": world.citizen.phone, "password": "x"}
        )
    locked = english.post(
        reverse("accounts:password_login"),
        {"phone": world.citizen.phone, "password": "pw-citizen"},
    )
    assert "Too many failed attempts" in locked.content.decode()


def test_profile_lists_memberships_read_only(client, world):
    client.force_login(world.handler)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert world.bureau.name in page
    assert 'name="role"' not in page
