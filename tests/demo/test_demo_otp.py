from io import StringIO

import pyotp
import pytest
from django.core.management import CommandError, call_command

from liuyan.accounts.models import TOTPDevice, User

pytestmark = pytest.mark.django_db


def test_demo_otp_enrols_a_demo_account_and_prints_a_valid_code(settings):
    settings.DEBUG = True
    user = User.objects.create_user(username="demo-moderator", password="x")
    out = StringIO()
    call_command("demo-otp", "demo-moderator", stdout=out)
    device = TOTPDevice.objects.get(user=user)
    code = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert device.is_confirmed and pyotp.TOTP(device.secret).verify(code, valid_window=1)


def test_demo_otp_refuses_real_accounts_and_production(settings):
    User.objects.create_user(username="moderator", password="x")
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("demo-otp", "moderator", stdout=StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo-otp", "demo-moderator", stdout=StringIO())
