from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "liuyan.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from liuyan.board.models import Event, Message
        from liuyan.board.signals import event_recorded, history_imported

        from .figures import services as figures

        # board announces each step's Event inside the step's transaction; the roll-ups are
        # brought up to date in that same transaction (board imports nothing of reports).
        event_recorded.connect(
            figures.on_event_recorded, sender=Event, dispatch_uid="reports.count_figures"
        )
        # An import of old history writes its steps in bulk and announces each batch once.
        history_imported.connect(
            figures.on_history_imported, sender=Message, dispatch_uid="reports.count_imported"
        )
