from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "liuyan.channels"
    label = "intake_channels"  # "channels" is the name of a well-known third-party app
    verbose_name = _("Channels")
