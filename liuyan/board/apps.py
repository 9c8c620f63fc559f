from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    name = "liuyan.board"
    verbose_name = _("Messages")
