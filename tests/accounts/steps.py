"""Sign-in steps shared by the accounts tests."""

import pyotp
from django.urls import reverse
from django.utils import timezone

from liuyan.accounts.models import TOTPDevice


def staff_sign_in(client, user, *, at=None, **extra):
    """The whole staff sign-in: password, then the authenticator code (enrolling the app the
    first time). `at` picks the code's moment: a code already used is refused (replay)."""
    response = client.post(
        reverse("accounts:staff_login"),
        {"username": user.username, "password": f"pw-{user.username}"},
        **extra,
    )
    if response.get("Location") != reverse("accounts:staff_second_factor"):
        return response
    client.get(response["Location"], **extra)
    totp = pyotp.TOTP(TOTPDevice.objects.get(user=user).secret)
    code = totp.at(at or timezone.now())
    return client.post(reverse("accounts:staff_second_factor"), {"code": code}, **extra)
