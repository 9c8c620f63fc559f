"""TOTP secrets and citizens' contact details are encrypted at rest; exact look-ups (a repeat
caller by phone) go through a keyed hash; old rows are encrypted by the data migration; keys
rotate."""

import importlib

import pyotp
import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from liuyan.accounts import selectors, services
from liuyan.accounts.models import TOTPDevice, User
from liuyan.board import services as board_services

pytestmark = pytest.mark.django_db

PHONE = "13800000001"  # world.citizen


def raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def raw_update(table: str, pk: int, **values) -> None:
    sets = ", ".join(f"{name} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
            [*values.values(), pk],
        )


def hotline_message(world, *, phone, name="李先生", title="小区路灯长期不亮"):
    return board_services.submit_message(
        author=None,
        entered_by=world.operator,
        channel="hotline",
        board=world.board,
        type="complaint",
        title=title,
        body="小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。",
        contact={"name": name, "phone": phone},
    )


def test_the_totp_secret_is_not_stored_in_clear(world):
    device = services.start_totp_enrolment(user=world.moderator)
    (stored,) = raw("accounts_totpdevice", "secret", device.pk)
    assert device.secret not in stored
    reloaded = TOTPDevice.objects.get(pk=device.pk)
    assert reloaded.secret == device.secret
    assert pyotp.TOTP(reloaded.secret).now().isdigit()


def test_a_citizens_phone_and_real_name_are_not_stored_in_clear(world):
    services.update_profile(user=world.citizen, nickname="居民甲", real_name="张三丰", email="")
    phone, real_name = raw("accounts_user", "phone, real_name", world.citizen.pk)
    assert PHONE not in phone and PHONE[-8:] not in phone
    assert "张三丰" not in real_name
    reloaded = User.objects.get(pk=world.citizen.pk)
    assert (reloaded.phone, reloaded.real_name) == (PHONE, "张三丰")


def test_the_phone_look_up_goes_through_the_keyed_hash(world):
    (stored_hash,) = raw("accounts_user", "phone_hash", world.citizen.pk)
    assert stored_hash and PHONE not in stored_hash
    assert selectors.user_by_phone(PHONE) == world.citizen
    assert selectors.user_by_phone("13800000009") is None


def test_a_second_account_with_the_same_number_is_refused(world):
    from django.core.exceptions import ValidationError

    other = User(username="copy", phone=PHONE)
    with pytest.raises(ValidationError):
        other.full_clean()


def test_the_contact_details_of_a_message_are_not_stored_in_clear(world):
    message = hotline_message(world, phone="0731-88886666", name="欧阳修远")
    contact = message.contact
    name, phone = raw("board_messagecontact", "name, phone", contact.pk)
    assert "欧阳修远" not in name and "88886666" not in phone
    contact.refresh_from_db()
    assert (contact.name, contact.phone) == ("欧阳修远", "0731-88886666")


def test_an_operator_finds_a_repeat_caller_by_phone(client, world):
    first = hotline_message(world, phone="0731-88886666", title="第一次来电反映路灯")
    other = hotline_message(world, phone="13911112222", title="别人的来电反映噪音")
    again = hotline_message(world, phone="073188886666", title="第二次来电反映路灯")
    client.force_login(world.operator)

    page = client.get(reverse("desk:operator_message", args=[again.pk])).content.decode()

    assert first.serial in page
    assert other.serial not in page


def test_the_data_migration_encrypts_rows_written_in_clear(world):
    device = services.start_totp_enrolment(user=world.moderator)
    secret = TOTPDevice.objects.get(pk=device.pk).secret
    raw_update("accounts_user", world.citizen.pk, phone=PHONE, real_name="王五", phone_hash=None)
    raw_update("accounts_totpdevice", device.pk, secret=secret)
    migration = importlib.import_module("liuyan.accounts.migrations.0004_accounts_encrypt_fields")

    migration.encrypt_existing_rows(global_apps, None)

    phone, real_name, phone_hash = raw(
        "accounts_user", "phone, real_name, phone_hash", world.citizen.pk
    )
    assert PHONE not in phone and "王五" not in real_name and phone_hash
    (stored_secret,) = raw("accounts_totpdevice", "secret", device.pk)
    assert secret not in stored_secret
    assert selectors.user_by_phone(PHONE) == world.citizen
    assert TOTPDevice.objects.get(pk=device.pk).secret == secret


def test_keys_rotate_without_losing_data(settings):
    settings.LIUYAN_FIELD_HASH_KEY = "a-separate-hash-key"
    settings.LIUYAN_FIELD_KEYS = ["old-key"]
    user = User.objects.create_user(username="rotating", phone="13700001111", real_name="赵六")
    (before,) = raw("accounts_user", "phone", user.pk)

    settings.LIUYAN_FIELD_KEYS = ["new-key", "old-key"]
    assert User.objects.get(pk=user.pk).phone == "13700001111"
    call_command("reencrypt-fields", verbosity=0)
    (after,) = raw("accounts_user", "phone", user.pk)
    assert after != before

    settings.LIUYAN_FIELD_KEYS = ["new-key"]
    assert User.objects.get(pk=user.pk).real_name == "赵六"
    assert selectors.user_by_phone("13700001111") == user


def test_the_admin_finds_a_user_by_phone_through_the_hash(client, world):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    page = client.get(reverse("admin:accounts_user_changelist"), {"q": PHONE})
    assert page.status_code == 200
    assert "居民甲" in page.content.decode()
    assert "citizen2" not in page.content.decode()


def test_sign_in_records_hold_no_phone_number_in_clear(world):
    services.request_sign_in_code(phone=PHONE, ip="10.0.0.1")
    with pytest.raises(services.SignInRefused):
        services.sign_in_with_code(phone=PHONE, code="000000", ip="10.0.0.1")
    with pytest.raises(services.SignInRefused):
        services.sign_in_with_password(phone=PHONE, password="wrong", ip="10.0.0.1")
    with connection.cursor() as cursor:
        for table in ("accounts_phonecode", "accounts_signinfailure"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            assert rows
            assert not any(PHONE in str(value) for row in rows for value in row), table


def test_a_citizens_e_mail_is_not_stored_in_clear(world):
    services.update_profile(
        user=world.citizen, nickname="居民甲", real_name="", email="zhang@example.cn"
    )
    (stored,) = raw("accounts_user", "email", world.citizen.pk)
    assert "zhang@example.cn" not in stored
    assert User.objects.get(pk=world.citizen.pk).email == "zhang@example.cn"
