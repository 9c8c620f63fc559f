import time
from datetime import timedelta

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.accounts import services
from liuyan.accounts.models import TOTPDevice
from liuyan.accounts.sessions import AUTH_LEVEL, BY_CODE, BY_TWO_FACTORS, LAST_SEEN
from liuyan.directory.models import Membership

from .steps import staff_sign_in

pytestmark = pytest.mark.django_db


def password_step(client, user, password=None, **data):
    return client.post(
        reverse("accounts:staff_login"),
        {"username": user.username, "password": password or f"pw-{user.username}", **data},
    )


def code_step(client, code):
    return client.post(reverse("accounts:staff_second_factor"), {"code": code})


def enrol(client, user) -> pyotp.TOTP:
    password_step(client, user)
    client.get(reverse("accounts:staff_second_factor"))
    totp = pyotp.TOTP(TOTPDevice.objects.get(user=user).secret)
    assert code_step(client, totp.now()).status_code == 302
    client.post(reverse("accounts:logout"))
    return totp


def test_a_handler_signs_in_with_both_factors(client, world):
    assert password_step(client, world.handler)["Location"] == reverse(
        "accounts:staff_second_factor"
    )
    assert "_auth_user_id" not in client.session
    client.get(reverse("accounts:staff_second_factor"))
    totp = pyotp.TOTP(TOTPDevice.objects.get(user=world.handler).secret)
    assert code_step(client, totp.now()).status_code == 302
    assert client.session["_auth_user_id"] == str(world.handler.pk)
    assert client.session[AUTH_LEVEL] == BY_TWO_FACTORS


def test_a_citizen_cannot_use_the_staff_sign_in(english, world):
    response = password_step(english, world.citizen)
    assert response.status_code == 400
    assert "not a staff account" in response.content.decode()
    assert "_auth_user_id" not in english.session


def test_moderator_enrols_an_authenticator_on_first_sign_in(english, world):
    response = password_step(english, world.moderator)
    assert response["Location"] == reverse("accounts:staff_second_factor")
    assert "_auth_user_id" not in english.session  # not signed in after the password alone

    page = english.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=world.moderator)
    assert not device.is_confirmed
    assert "otpauth://totp/" in page and f"secret={device.secret}" in page
    assert device.secret[:4] in page  # shown as text too, in groups of four

    done = code_step(english, pyotp.TOTP(device.secret).now())

    assert done.status_code == 302
    assert english.session["_auth_user_id"] == str(world.moderator.pk)
    assert english.session[AUTH_LEVEL] == BY_TWO_FACTORS
    device.refresh_from_db()
    assert device.is_confirmed


def test_enrolment_page_draws_a_qr_code_when_segno_is_installed(client, world):
    pytest.importorskip("segno")
    password_step(client, world.moderator)
    page = client.get(reverse("accounts:staff_second_factor")).content.decode()
    assert "<svg" in page


def test_a_wrong_code_does_not_sign_in_or_confirm(english, world):
    password_step(english, world.admin)
    english.get(reverse("accounts:staff_second_factor"))
    device = TOTPDevice.objects.get(user=world.admin)
    totp = pyotp.TOTP(device.secret)
    wrong = totp.at(timezone.now() - timedelta(minutes=10))

    response = code_step(english, wrong)

    assert response.status_code == 400 and "The code is wrong" in response.content.decode()
    assert "_auth_user_id" not in english.session
    device.refresh_from_db()
    assert not device.is_confirmed


def test_later_sign_ins_ask_for_the_code_without_showing_the_secret(client, world):
    totp = enrol(client, world.moderator)
    password_step(client, world.moderator)
    page = client.get(reverse("accounts:staff_second_factor")).content.decode()
    assert totp.secret not in page and "otpauth://" not in page
    # The code of the enrolment was used: the next one, 30 s later, signs in.
    later = totp.at(timezone.now() + timedelta(seconds=30))
    assert code_step(client, later).status_code == 302
    assert client.session["_auth_user_id"] == str(world.moderator.pk)


def test_a_used_code_cannot_be_replayed(world):
    device = services.start_totp_enrolment(user=world.moderator)
    now = timezone.now()
    code = pyotp.TOTP(device.secret).at(now)
    services.verify_totp(user=world.moderator, code=code, ip=None, now=now)
    with pytest.raises(services.SignInRefused):
        services.verify_totp(user=world.moderator, code=code, ip=None, now=now)


def test_the_code_step_needs_the_password_step_first(client, world):
    response = client.get(reverse("accounts:staff_second_factor"))
    assert response["Location"] == reverse("accounts:staff_login")


def test_superusers_need_the_second_factor(client, world):
    world.handler.is_superuser = True
    world.handler.save()
    response = password_step(client, world.handler)
    assert response["Location"] == reverse("accounts:staff_second_factor")


def test_five_wrong_passwords_lock_the_username(english, world):
    for _ in range(5):
        assert password_step(english, world.handler, password="wrong").status_code == 400
    locked = password_step(english, world.handler)
    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in english.session


def test_lock_ends_after_fifteen_minutes(world):
    start = timezone.now()
    for _ in range(5):
        services.record_sign_in_failure(scope="staff", key="handler", ip="10.0.0.5", now=start)
    with pytest.raises(services.RateLimited):
        services.check_staff_password(
            request=None, username="handler", password="pw-handler", ip="10.0.0.5", now=start
        )
    user = services.check_staff_password(
        request=None,
        username="handler",
        password="pw-handler",
        ip="10.0.0.5",
        now=start + timedelta(minutes=15, seconds=1),
    )
    assert user == world.handler


def test_wrong_totp_codes_lock_too(world):
    device = services.start_totp_enrolment(user=world.moderator)
    now = timezone.now()
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.verify_totp(user=world.moderator, code="000000", ip="10.0.0.8", now=now)
    with pytest.raises(services.RateLimited):
        services.verify_totp(
            user=world.moderator, code=pyotp.TOTP(device.secret).at(now), ip="10.0.0.8", now=now
        )


def test_proxy_header_is_trusted_only_when_configured(english, world, settings):
    for _ in range(5):
        english.post(
            reverse("accounts:staff_login"),
            {"username": world.handler.username, "password": "x"},
            HTTP_X_FORWARDED_FOR="10.5.5.5",
        )
    # Not configured: the header is ignored, so the socket address 127.0.0.1 is locked.
    assert "Too many" in password_step(english, world.handler).content.decode()
    settings.LIUYAN_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    fine = english.post(
        reverse("accounts:staff_login"),
        {"username": world.handler.username, "password": "pw-handler"},
        HTTP_X_FORWARDED_FOR="203.0.113.9, 10.6.6.6",
    )
    assert fine["Location"] == reverse("accounts:staff_second_factor")


def test_admin_reset_lets_the_user_enrol_again(client, world):
    enrol(client, world.moderator)
    services.reset_totp_device(user=world.moderator)
    password_step(client, world.moderator)
    page = client.get(reverse("accounts:staff_second_factor")).content.decode()
    assert "otpauth://" in page


def test_the_django_admin_login_goes_through_the_staff_sign_in(client, world):
    response = client.get(reverse("admin:login") + "?next=/admin/board/message/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert "next=%2Fadmin%2Fboard%2Fmessage%2F" in response["Location"]
    unauthenticated = client.get("/admin/")
    assert unauthenticated.status_code == 302


def test_admin_sign_in_needs_the_code_and_then_opens_the_admin(client, world):
    world.admin.is_staff = True
    world.admin.save()
    login_url = client.get(reverse("admin:login") + "?next=/admin/")["Location"]
    response = client.post(
        login_url,
        {"username": world.admin.username, "password": "pw-platform-admin", "next": "/admin/"},
    )
    assert response["Location"] == reverse("accounts:staff_second_factor")
    client.get(response["Location"])
    totp = pyotp.TOTP(TOTPDevice.objects.get(user=world.admin).secret)
    done = code_step(client, totp.now())
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_session_ends_after_idle_minutes(client, world, settings):
    settings.LIUYAN_STAFF_IDLE_MINUTES = 30
    staff_sign_in(client, world.handler)
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert "_auth_user_id" not in client.session


def test_active_staff_stay_signed_in(client, world):
    staff_sign_in(client, world.handler)
    session = client.session
    session[LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_citizens_have_no_idle_timeout(client, world):
    client.force_login(world.citizen)
    session = client.session
    session[LAST_SEEN] = time.time() - 5 * 3600
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_citizen_given_a_staff_role_must_sign_in_again_with_the_code(client, world):
    client.force_login(world.citizen)
    session = client.session
    session[AUTH_LEVEL] = BY_CODE
    session.save()
    assert client.get(reverse("accounts:profile")).status_code == 200
    Membership.objects.create(user=world.citizen, role="handler", unit=world.bureau)
    response = client.get(reverse("accounts:profile"))
    assert response["Location"].startswith(reverse("accounts:staff_login"))
    assert "_auth_user_id" not in client.session


def test_a_django_admin_staff_account_without_membership_needs_the_code(client, world):
    """`is_staff` opens the Django admin: that door must not open on a password alone."""
    from liuyan.accounts.models import User

    clerk = User.objects.create_user(username="admin-clerk", password="pw-admin-clerk")
    clerk.is_staff = True
    clerk.save()

    response = password_step(client, clerk, next="/admin/")

    assert response["Location"] == reverse("accounts:staff_second_factor")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_django_admin_staff_account_cannot_use_the_citizen_password_form(client, world):
    world.citizen.set_password("pw-citizen")
    world.citizen.is_staff = True
    world.citizen.save()

    response = client.post(
        reverse("accounts:password_login"),
        {"phone": world.citizen.phone, "password": "pw-citizen"},
    )

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
