from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "liuyan.board"
    verbose_name = _("Messages")

    def ready(self):
        from . import audit_names, search

        audit_names.register()

        # On SQLite, a migration that remakes board_message drops the search triggers with it.
        post_migrate.connect(search.restore_sqlite_index_after_migrate, sender=self)
