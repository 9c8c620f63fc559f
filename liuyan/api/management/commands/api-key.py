"""`liuyan api-key create --name NAME [--scopes ...] [--user USERNAME]`, `liuyan api-key revoke
PREFIX`, `liuyan api-key list`. The new key is printed on the last line, and only there."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from liuyan.api import keys
from liuyan.api.models import ApiKey, Scope


class Command(BaseCommand):
    help = _("Create, list and revoke API keys (the key is shown once, stored as a hash).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("Make a key and print it on the last line."))
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scopes", nargs="*", default=[], help=", ".join(Scope.values), metavar="SCOPE"
        )
        create.add_argument("--user", help=_("Username the key acts as (a per-user key)."))
        revoke = sub.add_parser("revoke", help=_("Revoke the key with this prefix."))
        revoke.add_argument("prefix")
        sub.add_parser("list", help=_("List keys (never their secrets)."))

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            user = None
            if options["user"]:
                user = get_user_model().objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(_("No such user: %(u)s") % {"u": options["user"]})
            scopes = [s for part in options["scopes"] for s in part.split(",") if s]
            try:
                key, secret = keys.create_key(name=options["name"], scopes=scopes, user=user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                _("Key %(prefix)s “%(name)s”, scopes: %(scopes)s. Shown only now:")
                % {"prefix": key.prefix, "name": key.name, "scopes": ", ".join(key.scopes) or "-"}
            )
            self.stdout.write(secret)
        elif action == "revoke":
            found = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(_("No key with prefix %(p)s.") % {"p": options["prefix"]})
            keys.revoke_key(found)
            self.stdout.write(_("Revoked %(prefix)s.") % {"prefix": found.prefix})
        else:
            for key in ApiKey.objects.select_related("user"):
                state = _("revoked") if key.revoked_at else _("active")
                owner = key.user.username if key.user else "-"
                self.stdout.write(
                    f"{key.prefix}\t{state}\t{owner}\t{','.join(key.scopes)}\t{key.name}"
                )
