from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "liuyan.desk"
    verbose_name = _("Staff desk")

    def ready(self):
        from liuyan.accounts import audit_words

        from .audit import ACTIONS

        audit_words.register_actions(ACTIONS)
