"""`liuyan insight …`: the insight engine's batch CLI inside the platform.

Every subcommand (hot, classify, quality, mask, train) is passed unchanged to
`liuyan.insight.cli.main`, so it behaves exactly as the stand-alone CLI, except that the models
directory defaults to settings.LIUYAN_MODELS_DIR. One addition needs the database:

    liuyan insight train --from-platform [--min-messages N]

trains the domain classifier on the platform's own handled messages. The label is the domain a
moderator confirmed at screening, lifted to its first-level name (the classifier predicts
一级分类); messages that were thrown out (rejected, duplicates) are left out. When any of them
was written by the demo generator (`make demo` trains this way), the manifest records that the
model was trained on generated text, and every place showing its figures says they mean nothing.

Why in ops: the command is an operator's batch tool, not a part of any page. Its work is the
trained artefacts under LIUYAN_MODELS_DIR that the running site loads (and one-off runs over
CSV files); none of it is a figure, ranking or hot issue, which is what `reports` owns (the
daily hot-issue run is reports' own `hot-issues` command). Like `tick`, it reads the message
tables of `board` (and asks `demo` which messages it generated), and ops sits above every app,
so nothing below it depends on it.
"""

from __future__ import annotations

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from liuyan.board.models import Message
from liuyan.core.lifecycle import State
from liuyan.demo.generate import demo_messages
from liuyan.directory.models import Domain
from liuyan.insight import classify, cli, train

# Below this the held-out split has a handful of rows per domain and the figures in the manifest
# (and the fitted confidence temperature) mean nothing.
MIN_TRAINING_MESSAGES = 200
MIN_DOMAINS = 2
THROWN_OUT = (State.REJECTED, State.DUPLICATE)
COMMANDS_WITH_MODELS = ("classify", "train")


def platform_training_messages() -> QuerySet[Message]:
    """Every screened message with a confirmed domain that was not thrown out."""
    return Message.objects.filter(screened_at__isnull=False, domain__isnull=False).exclude(
        state__in=THROWN_OUT
    )


# A bounded, stratified sample: at most PER_DOMAIN of the newest messages of each first-level
# domain, bodies cut at BODY_CHARS. Reading every labelled message made the run grow with the
# platform (517 s and 3.95 GB at 100,000 messages); a linear classifier gains little beyond a
# few thousand examples a domain, and a rare domain keeps all of its own, so it is not drowned
# by the big ones. 15 domains x 2,000 is at most 30,000 texts at any size.
PER_DOMAIN = 2000
BODY_CHARS = 1000


def platform_training_sample() -> tuple[list[train.TrainingRecord], list[int]]:
    """(title, body, first-level domain) of the sample, and the sampled message ids."""
    records, ids = [], []
    for top in Domain.objects.filter(parent__isnull=True).order_by("pk"):
        subtree = Domain.objects.filter(
            Q(pk=top.pk) | Q(parent_id=top.pk) | Q(parent__parent_id=top.pk)
        ).values("pk")
        rows = (
            platform_training_messages()
            .filter(domain_id__in=subtree)
            .annotate(body_start=Substr("body", 1, BODY_CHARS))
            .values_list("pk", "title", "body_start")
            .order_by("-pk")[:PER_DOMAIN]
        )
        for pk, title, body in rows:
            records.append(train.TrainingRecord(title, body, top.name))
            ids.append(pk)
    return records, ids


def platform_training_records() -> list[train.TrainingRecord]:
    """The training sample's records (see platform_training_sample)."""
    return platform_training_sample()[0]


def _with_default_models_dir(argv: list[str]) -> list[str]:
    if argv and argv[0] in COMMANDS_WITH_MODELS and "--models" not in argv:
        return [*argv, "--models", str(settings.LIUYAN_MODELS_DIR)]
    return argv


class Command(BaseCommand):
    help = _("Insight batch tools (hot, classify, quality, mask, train); see --help of each.")

    def add_arguments(self, parser):
        parser.add_argument("argv", nargs=argparse.REMAINDER)

    def handle(self, *args, argv: list[str], **options):
        argv = list(argv)
        if argv[:1] == ["train"] and "--from-platform" in argv:
            return self._train_from_platform(argv[1:])
        status = cli.main(_with_default_models_dir(argv))
        if status:
            raise CommandError(
                _("insight %(command)s failed.") % {"command": argv[0]}, returncode=status
            )

    def _train_from_platform(self, argv: list[str]) -> None:
        parser = argparse.ArgumentParser(prog="liuyan insight train --from-platform")
        parser.add_argument("--from-platform", action="store_true")
        parser.add_argument("--models", default=str(settings.LIUYAN_MODELS_DIR))
        parser.add_argument("--min-messages", type=int, default=MIN_TRAINING_MESSAGES)
        options = parser.parse_args(argv)
        records, sampled_ids = platform_training_sample()
        domains = {record.label for record in records}
        if len(records) < options.min_messages or len(domains) < MIN_DOMAINS:
            raise CommandError(
                _(
                    "Too few labelled messages to train: %(found)d in %(domains)d domains; "
                    "at least %(needed)d screened messages with a domain, in at least "
                    "%(min_domains)d domains, are needed."
                )
                % {
                    "found": len(records),
                    "domains": len(domains),
                    "needed": options.min_messages,
                    "min_domains": MIN_DOMAINS,
                }
            )
        generated = demo_messages().filter(pk__in=sampled_ids).count()
        path = train.train_and_save(
            records,
            options.models,
            source=f"platform ({generated} of {len(records)} messages by the demo generator)",
            training_data=classify.GENERATED_TEXT if generated else classify.LABELLED_MESSAGES,
        )
        self.stdout.write(
            _("Trained on %(n)d messages in %(domains)d domains: %(path)s")
            % {"n": len(records), "domains": len(domains), "path": path}
        )
        figures = classify.model_figures(options.models)
        if figures is not None:
            for line in figure_lines(figures):
                self.stdout.write(line)


def figure_lines(figures: classify.ModelFigures) -> list[str]:
    """The held-out figures, and when the model learnt from generated text, that they mean
    nothing (the same words as on the moderator's screening page)."""
    lines = []
    if figures.macro_f1 is not None:
        lines.append(
            _("Held-out macro-F1 %(f1).2f, accuracy %(accuracy).2f.")
            % {"f1": figures.macro_f1, "accuracy": figures.accuracy}
        )
    if figures.trained_on_generated_text:
        lines.append(
            _("Trained on generated demo text; this figure says nothing about real messages.")
        )
    return lines
