"""`liuyan demo-otp USERNAME`: the current one-time code of a demo staff account.

Moderators and administrators sign in with a password and a TOTP code. Someone trying the demo
on a laptop may have no authenticator app at hand, so for demo accounts only (and only with
LIUYAN_DEBUG on) this enrols a device if there is none and prints the code of the moment.
"""

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liuyan.accounts.models import TOTPDevice, User
from liuyan.demo.world import PREFIX


class Command(BaseCommand):
    help = "Print the current one-time code of a demo staff account (LIUYAN_DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help=f"a demo account, e.g. {PREFIX}moderator")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("Only for the local demo: set LIUYAN_DEBUG=1.")
        if not username.startswith(PREFIX):
            raise CommandError(f"Only demo accounts (whose name starts with {PREFIX!r}).")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: run `liuyan demo-data` first.")
        device, created = TOTPDevice.objects.get_or_create(
            user=user,
            defaults={
                "secret": pyotp.random_base32(),
                "created_at": timezone.now(),
                "confirmed_at": timezone.now(),
            },
        )
        if created or not device.is_confirmed:
            device.confirmed_at = device.confirmed_at or timezone.now()
            device.save(update_fields=["confirmed_at"])
            self.stdout.write(f"Enrolled an authenticator for {username}; secret {device.secret}")
        code = pyotp.TOTP(device.secret).now()
        self.stdout.write(f"One-time code for {username} (valid about 30 s): {code}")
