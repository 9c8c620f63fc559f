from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuyan.core"
    label = "liuyan_core"
    verbose_name = "liuyan core"

    def ready(self):
        from .inputs import install_lookups

        install_lookups()
