from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "liuyan.campaigns"
    verbose_name = _("Suggestion campaigns")

    def ready(self) -> None:
        from . import search

        # On SQLite, a migration that remakes campaigns_suggestion drops the search triggers.
        post_migrate.connect(search.restore_sqlite_index_after_migrate, sender=self)
