"""Lock-outs hit only the guesser: failures count per account-and-address pair, an address is
slowed (not blocked) after many failures, staff at a known address still get in while strangers
hammer their account, and every lock is in the audit trail for administrators."""

from datetime import timedelta

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.accounts import services
from liuyan.accounts.models import AuditEntry, TOTPDevice

pytestmark = pytest.mark.django_db

NAT = "10.1.1.1"  # an office or carrier NAT: many people behind one address
PHONE = "13912345678"


def password_step(client, user, password=None, ip=NAT):
    return client.post(
        reverse("accounts:staff_login"),
        {"username": user.username, "password": password or f"pw-{user.username}"},
        REMOTE_ADDR=ip,
    )


def full_staff_sign_in(client, user, ip=NAT, *, at=None):
    """Password and authenticator code from `ip`; returns the final response."""
    response = password_step(client, user, ip=ip)
    if response.get("Location") != reverse("accounts:staff_second_factor"):
        return response
    client.get(response["Location"], REMOTE_ADDR=ip)
    totp = pyotp.TOTP(TOTPDevice.objects.get(user=user).secret)
    code = totp.at(at or timezone.now())
    return client.post(reverse("accounts:staff_second_factor"), {"code": code}, REMOTE_ADDR=ip)


def fail_staff(username, ip, now, times=1):
    for _ in range(times):
        services.record_sign_in_failure(scope="staff", key=username, ip=ip, now=now)


def test_failures_from_one_address_do_not_lock_other_accounts_behind_it(english, world):
    for name in ["a", "b", "c", "d", "e", "f", "g"]:
        password_step(english, type("U", (), {"username": name})(), password="x")

    response = password_step(english, world.moderator)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_second_factor")


def test_five_failures_lock_the_account_only_from_that_address(english, world):
    for _ in range(5):
        assert password_step(english, world.moderator, password="wrong").status_code == 400

    locked = password_step(english, world.moderator)
    assert "Too many failed attempts" in locked.content.decode()

    elsewhere = password_step(english, world.moderator, ip="10.2.2.2")
    assert elsewhere.status_code == 302


def test_citizens_behind_one_nat_are_not_locked_by_a_neighbour(last_code):
    now = timezone.now()
    for i in range(8):
        with pytest.raises(services.SignInRefused):
            services.sign_in_with_code(phone=f"1370000000{i}", code="123456", ip=NAT, now=now)
    services.request_sign_in_code(phone=PHONE, ip=NAT, now=now)
    assert services.sign_in_with_code(phone=PHONE, code=last_code(PHONE), ip=NAT, now=now)


def test_staff_at_a_known_address_sign_in_while_strangers_hammer_the_account(client, world):
    office = "10.9.0.1"
    assert full_staff_sign_in(client, world.moderator, ip=office).status_code == 302
    client.post(reverse("accounts:logout"))
    now = timezone.now()
    for i in range(60):  # a botnet: many addresses, a few guesses each
        fail_staff(world.moderator.username, f"10.66.{i // 250}.{i % 250}", now, times=2)

    with pytest.raises(services.RateLimited):  # a new address, even with the password
        services.check_staff_password(
            request=None, username="moderator", password="pw-moderator", ip="10.77.0.1", now=now
        )

    later = timezone.now() + timedelta(seconds=30)  # the enrolment code was used: the next one
    response = full_staff_sign_in(client, world.moderator, ip=office, at=later)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.moderator.pk)


def test_many_failures_from_one_address_slow_it_down_without_blocking(world, settings):
    settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP = 30
    now = timezone.now()
    for i in range(30):  # 30 accounts guessed once each from one address
        fail_staff(f"guess-{i}", NAT, now)

    with pytest.raises(services.RateLimited) as slowed:
        services.check_staff_password(
            request=None, username="moderator", password="pw-moderator", ip=NAT, now=now
        )
    wait = slowed.value.retry_after
    assert 0 < wait <= settings.LIUYAN_SIGNIN_SLOWDOWN_MAX_SECONDS

    after_the_wait = now + timedelta(seconds=wait)
    user = services.check_staff_password(
        request=None, username="moderator", password="pw-moderator", ip=NAT, now=after_the_wait
    )
    assert user == world.moderator


def test_the_delay_grows_with_each_further_failure(world, settings):
    settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP = 10
    now = timezone.now()
    fail_staff("someone", NAT, now)
    waits = []
    for i in range(10, 14):
        fail_staff(f"guess-{i}", NAT, now, times=9 if i == 10 else 1)
        with pytest.raises(services.RateLimited) as slowed:
            services.check_staff_password(
                request=None, username="moderator", password="pw-moderator", ip=NAT, now=now
            )
        waits.append(slowed.value.retry_after)
    assert waits == sorted(waits) and waits[0] < waits[-1]


def test_a_slowed_address_answers_429_with_retry_after(english, world, settings):
    settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP = 12
    for i in range(12):
        english.post(
            reverse("accounts:staff_login"),
            {"username": f"guess-{i}", "password": "x"},
            REMOTE_ADDR=NAT,
        )

    response = password_step(english, world.moderator)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "_auth_user_id" not in english.session


def test_every_lock_is_written_to_the_audit_trail(english, world):
    for _ in range(5):
        password_step(english, world.moderator, password="wrong")

    locks = AuditEntry.objects.filter(action="sign_in_locked")
    assert locks.count() == 1
    lock = locks.get()
    assert lock.ip_address == NAT
    assert lock.detail["kind"] == "account_address"
    assert lock.detail["username"] == "moderator"


def test_account_and_address_locks_are_audited_too(world, settings):
    settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_IP = 10
    settings.LIUYAN_SIGNIN_MAX_FAILURES_PER_ACCOUNT = 6
    now = timezone.now()
    for i in range(6):
        services.record_sign_in_failure(scope="staff", key="moderator", ip=f"10.8.0.{i}", now=now)
    for i in range(10):
        services.record_sign_in_failure(scope="staff", key=f"x{i}", ip="10.8.8.8", now=now)
    kinds = set(
        AuditEntry.objects.filter(action="sign_in_locked").values_list("detail__kind", flat=True)
    )
    assert kinds == {"account", "address"}


def test_administrators_see_the_locks(client, world):
    for _ in range(5):
        password_step(client, world.moderator, password="wrong")
    client.force_login(world.admin)

    page = client.get(reverse("accounts:sign_in_locks"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "moderator" in html and NAT in html


def test_only_administrators_see_the_locks(client, world):
    client.force_login(world.handler)
    assert client.get(reverse("accounts:sign_in_locks")).status_code == 403


def test_a_citizen_lock_names_the_number_only_masked(world):
    now = timezone.now()
    for _ in range(5):
        with pytest.raises(services.SignInRefused):
            services.sign_in_with_code(phone=PHONE, code="000000", ip=NAT, now=now)
    lock = AuditEntry.objects.get(action="sign_in_locked")
    assert lock.username == "139****5678" and lock.detail["scope"] == "citizen"
    assert PHONE not in str(lock.detail)
