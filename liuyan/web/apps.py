from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "liuyan.web"
    label = "web"
    verbose_name = "liuyan web requests"

    def ready(self) -> None:
        from .inputs import install_lookups

        install_lookups()
