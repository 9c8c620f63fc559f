"""`liuyan load-domains`: the domain taxonomy (领域分类) from liuyan/directory/data/domains.csv."""

from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from liuyan.directory import services
from liuyan.directory.taxonomy import domain_nodes, read_domain_paths

from ._report import print_counts


class Command(BaseCommand):
    help = _("Load or update the domain tree (一级/二级/三级) from the project's domains.csv.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = perf_counter()
        nodes = domain_nodes(read_domain_paths())
        self.stdout.write(_("%(count)d domains in domains.csv; writing…") % {"count": len(nodes)})
        result = services.load_domains(nodes=nodes)
        labels = {level: _("level %(level)d") % {"level": level} for level in (1, 2, 3)}
        print_counts(self, result, labels=labels)
        if result.kept:
            self.stdout.write(
                _("%(count)d domains in the database are not in domains.csv and were kept.")
                % {"count": result.kept}
            )
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": perf_counter() - started})
