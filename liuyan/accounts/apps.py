from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "liuyan.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib import admin

        from . import checks, signals  # noqa: F401  (registers the checks, connects receivers)
        from .views import admin_login_redirect

        # The admin's own login form would skip the second factor: send it to ours.
        # Replacing the one site's bound method is the point, which mypy refuses on principle.
        admin.site.login = admin_login_redirect  # type: ignore[method-assign]
