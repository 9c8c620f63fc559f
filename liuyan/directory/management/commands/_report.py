"""How the loaders report what they did (shared by the directory commands)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.directory.services import LoadResult


def print_counts(command: BaseCommand, result: LoadResult, *, labels: dict) -> None:
    """One line per level or kind, then whether anything changed at all."""
    for key, label in labels.items():
        created, updated = result.created[key], result.updated[key]
        unchanged = result.unchanged[key]
        command.stdout.write(
            _("  %(label)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {"label": label, "created": created, "updated": updated, "unchanged": unchanged}
        )
    if result.changed:
        command.stdout.write(command.style.SUCCESS(_("Changes saved.")))
    else:
        command.stdout.write(command.style.SUCCESS(_("Already up to date: nothing changed.")))
