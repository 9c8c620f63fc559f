from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from liuyan.accounts import services
from liuyan.accounts.crypto import phone_hash
from liuyan.accounts.models import PhoneCode, User
from liuyan.accounts.sessions import AUTH_LEVEL, BY_CODE

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def ask_code(client, phone=PHONE, **extra):
    return client.post(reverse("accounts:request_code"), {"phone": phone}, **extra)


def sign_in(client, code, phone=PHONE, **data):
    return client.post(reverse("accounts:verify_code"), {"phone": phone, "code": code, **data})


def test_first_sign_in_by_code_creates_the_account_and_signs_in(english, last_code):
    response = ask_code(english)
    assert response.status_code == 302
    page = english.get(response["Location"]).content.decode()
    assert "We sent a 6-digit code" in page and 'name="code"' in page

    response = sign_in(english, last_code(PHONE))

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(phone_hash=phone_hash(PHONE))
    assert not user.has_usable_password()
    assert PHONE not in user.username  # the username is not a way to find the number
    assert english.session["_auth_user_id"] == str(user.pk)
    assert english.session[AUTH_LEVEL] == BY_CODE


def test_the_code_is_stored_only_as_a_hash(client, last_code):
    ask_code(client)
    row = PhoneCode.objects.get(phone_hash=phone_hash(PHONE))
    assert last_code(PHONE) not in row.code_hash and len(row.code_hash) == 64


def test_second_sign_in_reuses_the_existing_account(client, world, last_code):
    ask_code(client, world.citizen.phone)
    sign_in(client, last_code(world.citizen.phone), phone=world.citizen.phone)
    assert client.session["_auth_user_id"] == str(world.citizen.pk)
    assert User.objects.filter(phone_hash=phone_hash(world.citizen.phone)).count() == 1


def test_a_code_works_only_once(english, last_code):
    ask_code(english)
    code = last_code(PHONE)
    assert sign_in(english, code).status_code == 302
    english.post(reverse("accounts:logout"))

    again = sign_in(english, code)

    assert again.status_code == 400
    assert "wrong or has expired" in again.content.decode()
    assert "_auth_user_id" not in english.session


def test_a_code_expires_after_five_minutes(sms_outbox, last_code):
    start = timezone.now()
    services.request_sign_in_code(phone=PHONE, ip="10.0.0.1", now=start)
    code = last_code(PHONE)
    with pytest.raises(services.SignInRefused):
        services.sign_in_with_code(
            phone=PHONE, code=code, ip="10.0.0.1", now=start + timedelta(minutes=5, seconds=1)
        )
    user = services.sign_in_with_code(
        phone=PHONE, code=code, ip="10.0.0.1", now=start + timedelta(minutes=4, seconds=59)
    )
    assert user.phone == PHONE


def test_only_the_newest_code_counts(last_code):
    start = timezone.now()
    services.request_sign_in_code(phone=PHONE, ip="10.0.0.1", now=start)
    first = last_code(PHONE)
    services.request_sign_in_code(phone=PHONE, ip="10.0.0.1", now=start + timedelta(seconds=61))
    second = last_code(PHONE)
    later = start + timedelta(seconds=62)
    if first != second:
        with pytest.raises(services.SignInRefused):
            services.sign_in_with_code(phone=PHONE, code=first, ip="10.0.0.1", now=later)
    assert services.sign_in_with_code(phone=PHONE, code=second, ip="10.0.0.1", now=later)


def test_a_second_code_within_a_minute_is_refused_with_the_wait(english):
    ask_code(english)
    response = ask_code(english)
    assert response.status_code == 429 and response["Retry-After"]
    assert "You can ask for another one in" in response.content.decode()
    assert PhoneCode.objects.filter(phone_hash=phone_hash(PHONE)).count() == 1


def test_the_wait_message_is_in_chinese_by_default(client):
    ask_code(client)
    with translation.override("zh-hans"):
        page = ask_code(client).content.decode()
    assert "秒后" in page


def test_ten_codes_a_day_per_number(last_code):
    start = timezone.now().replace(hour=1)  # early in the day in Shanghai is still the same day
    start = timezone.localtime(start).replace(hour=8, minute=0)
    for i in range(10):
        services.request_sign_in_code(
            phone=PHONE, ip=f"10.0.0.{i}", now=start + timedelta(minutes=2 * i)
        )
    with pytest.raises(services.RateLimited, match="今天获取验证码次数过多"):
        services.request_sign_in_code(phone=PHONE, ip="10.0.1.1", now=start + timedelta(hours=1))
    next_day = start + timedelta(days=1)
    services.request_sign_in_code(phone=PHONE, ip="10.0.1.1", now=next_day)


def test_twenty_codes_an_hour_per_ip(settings):
    start = timezone.now()
    for i in range(20):
        services.request_sign_in_code(phone=f"1390000{i:04d}", ip="10.9.9.9", now=start)
    with pytest.raises(services.RateLimited, match="您所在网络"):
        services.request_sign_in_code(phone="13911110000", ip="10.9.9.9", now=start)
    services.request_sign_in_code(phone="13911110000", ip="10.9.9.10", now=start)
    services.request_sign_in_code(
        phone="13911110001", ip="10.9.9.9", now=start + timedelta(hours=1, seconds=1)
    )


def test_five_wrong_codes_lock_the_number_for_fifteen_minutes(english, last_code):
    ask_code(english)
    code = last_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert sign_in(english, wrong).status_code == 400

    locked = sign_in(english, code)  # even the right code waits now

    assert "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in english.session
    later = timezone.now() + timedelta(minutes=16)
    services.request_sign_in_code(phone=PHONE, ip="10.1.1.1", now=later)
    assert services.sign_in_with_code(phone=PHONE, code=last_code(PHONE), ip="10.1.1.1", now=later)


def test_five_failures_from_one_ip_lock_that_number_only_from_that_ip(last_code):
    now = timezone.now()
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.sign_in_with_code(phone=PHONE, code="123456", ip="10.2.2.2", now=now)
    services.request_sign_in_code(phone=PHONE, ip="10.3.3.3", now=now)
    with pytest.raises(services.RateLimited):
        services.sign_in_with_code(phone=PHONE, code=last_code(PHONE), ip="10.2.2.2", now=now)
    assert services.sign_in_with_code(phone=PHONE, code=last_code(PHONE), ip="10.3.3.3", now=now)


def test_invalid_numbers_are_refused(english):
    response = ask_code(english, phone="12345678901")
    assert response.status_code == 400
    assert PhoneCode.objects.count() == 0


def test_a_number_with_spaces_or_country_code_is_understood(client):
    ask_code(client, phone="+86 139 1234 5678")
    assert PhoneCode.objects.filter(phone_hash=phone_hash(PHONE)).exists()


def test_htmx_request_returns_only_the_steps(client):
    response = ask_code(client, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="login-steps"' in html and "<html" not in html and 'name="code"' in html


def test_next_is_followed_only_within_the_site(client, last_code):
    ask_code(client)
    good = sign_in(client, last_code(PHONE), next="/notifications/")
    assert good["Location"] == "/notifications/"
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:request_code"), {"phone": "13912345679"})
    evil = sign_in(
        client, last_code("13912345679"), phone="13912345679", next="https://evil.example/"
    )
    assert evil["Location"] == "/"


def test_moderators_cannot_skip_the_second_factor_with_a_code(english, world, last_code):
    world.moderator.phone = "13700000009"
    world.moderator.save()
    ask_code(english, world.moderator.phone)
    response = sign_in(english, last_code(world.moderator.phone), phone=world.moderator.phone)
    assert "staff sign-in page" in response.content.decode()
    assert "_auth_user_id" not in english.session


def test_failed_sms_gateway_is_reported_and_still_counts(english, settings):
    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.UnconfiguredSMSBackend"
    response = ask_code(english)
    assert "could not be sent" in response.content.decode()
    assert PhoneCode.objects.filter(phone_hash=phone_hash(PHONE)).count() == 1


def test_logout_needs_post(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_old_codes_and_failures_are_pruned(world):
    from liuyan.accounts.models import SignInFailure

    long_ago = timezone.now() - timedelta(days=3)
    services.request_sign_in_code(phone=PHONE, ip="10.0.0.1", now=long_ago)
    services.record_sign_in_failure(scope="citizen", key=PHONE, ip="10.0.0.1", now=long_ago)
    services.request_sign_in_code(phone="13912345670", ip="10.0.0.1")

    assert services.prune_security_records() == 2
    assert list(PhoneCode.objects.values_list("phone_hash", flat=True)) == [
        phone_hash("13912345670")
    ]
    assert not SignInFailure.objects.exists()


@pytest.mark.parametrize("form", ["password", "code"])
def test_a_wrong_guess_does_not_reveal_that_a_number_belongs_to_a_moderator(english, world, form):
    """Only someone who proved the number (code) or the password learns it is a staff account."""
    world.moderator.phone = "13700000009"
    world.moderator.save()
    if form == "password":
        response = english.post(
            reverse("accounts:password_login"),
            {"phone": world.moderator.phone, "password": "a-wrong-guess"},
        )
    else:
        ask_code(english, world.moderator.phone)
        response = sign_in(english, "000000", phone=world.moderator.phone)
    html = response.content.decode()
    assert "staff sign-in page" not in html
    assert "_auth_user_id" not in english.session


def test_moderators_cannot_skip_the_second_factor_with_their_password(english, world):
    world.moderator.phone = "13700000009"
    world.moderator.save()
    response = english.post(
        reverse("accounts:password_login"),
        {"phone": world.moderator.phone, "password": "pw-moderator"},
    )
    assert "staff sign-in page" in response.content.decode()
    assert "_auth_user_id" not in english.session
