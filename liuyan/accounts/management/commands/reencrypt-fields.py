"""`liuyan reencrypt-fields`: after putting a new key first in LIUYAN_FIELD_KEY, write every
encrypted field again with it (and every look-up hash with LIUYAN_FIELD_HASH_KEY); afterwards
the old key can be dropped."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.accounts.encryption import encrypted_models, reencrypt_models


class Command(BaseCommand):
    help = _("Encrypt personal data again with the newest key, e.g. after a key rotation.")

    def handle(self, *args, **options):
        for label, rows in reencrypt_models(encrypted_models(apps)).items():
            if options["verbosity"]:
                self.stdout.write(_("%(model)s: %(rows)d rows") % {"model": label, "rows": rows})
