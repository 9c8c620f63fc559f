"""`liuyan demo-data`: a realistic small world to look at, or millions of rows to load-test.

Idempotent, because `make demo` runs it on every start: when the demo world is there already it
only prints the demo logins. `--messages N` adds N more messages; `--reset` replaces them.
"""

from __future__ import annotations

import sys
import time
from time import perf_counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from liuyan.demo import national, world
from liuyan.demo.generate import (
    Outcome,
    delete_demo_messages,
    demo_messages,
    generate_messages,
)

DEFAULT_MESSAGES = 2000


class Command(BaseCommand):
    help = (
        "Build the demo world (two provinces, boards, units, users for every role and about "
        "2,000 messages in every state), or add N generated messages for load tests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--messages",
            type=int,
            help=f"Add this many messages (default: {DEFAULT_MESSAGES} when the world is new).",
        )
        parser.add_argument("--seed", type=int, help="Random seed (default: 1 for a new world).")
        parser.add_argument("--months", type=int, default=18, help="Spread over the last N months.")
        parser.add_argument("--reset", action="store_true", help="Delete demo messages first.")
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Messages per transaction."
        )
        parser.add_argument(
            "--world-only",
            action="store_true",
            help="Only grow the world to the size N messages call for (units, boards, citizens).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run although DEBUG is off (the demo accounts share a published password).",
        )

    def handle(
        self, *args, messages, seed, months, reset, batch_size, force, world_only, **options
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and every demo account has the same "
                "published password. Use --force if you really mean it."
            )
        if messages is not None and messages < 0:
            raise CommandError("--messages must not be negative.")
        verbose = options["verbosity"] > 0
        world.ensure_reference_data(out=self.stdout if options["verbosity"] > 1 else None)
        existing = demo_messages().count() if world.is_built() else 0
        if reset:
            deleted = delete_demo_messages()
            self.stdout.write(f"Deleted {deleted} demo messages.")
            existing = 0
        elif existing and messages is None:
            self.stdout.write(f"The demo world is already there ({existing} demo messages).")
            self.campaigns()  # added to demos loaded before campaigns existed
            self.print_logins()
            return
        count = DEFAULT_MESSAGES if messages is None else messages
        # A load test's world grows with all its messages (see liuyan.demo.national).
        self.build_world(existing + count)
        if world_only:
            return
        # A second load with the default seed would repeat the same stories at the same times.
        seed = seed if seed is not None else 1 + existing
        started = time.perf_counter()
        outcome = self.generate(
            count, seed=seed, months=months, batch_size=batch_size, show=verbose
        )
        self.report(outcome)
        phases = dict(outcome.phases)
        phase_started = time.perf_counter()
        self.rebuild_figures(show=verbose)
        phases["figures"] = time.perf_counter() - phase_started
        phase_started = time.perf_counter()
        self.campaigns()
        phases["campaigns"] = time.perf_counter() - phase_started
        self.report_phases(phases, time.perf_counter() - started)
        self.print_logins()

    def build_world(self, messages: int) -> None:
        started = perf_counter()
        grown = world.ensure_world(seed=1, messages=messages)
        seconds = perf_counter() - started
        if grown.units or grown.citizens:
            self.stdout.write(
                f"Grew the world by {grown.units:,} units, {grown.boards:,} boards, "
                f"{grown.staff:,} staff and {grown.citizens:,} citizens in {seconds:.1f} s."
            )
        self.stdout.write(f"World: {national.census()}.")

    def campaigns(self) -> None:
        """A running and a closed suggestion campaign (人民建议征集), once."""
        from liuyan.demo.campaigns import ensure_campaigns

        written = ensure_campaigns(seed=1)
        if written:
            self.stdout.write(f"Wrote 2 suggestion campaigns with {written} suggestions.")

    def rebuild_figures(self, *, show: bool) -> None:
        """The generator writes the board's tables directly, not through the lifecycle service
        that keeps the figures: count them once from the messages."""
        from liuyan.reports.figures.services import rebuild

        with tqdm(unit="msg", file=sys.stderr, disable=not show, desc="figures") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            rebuild(progress=progress)

    def generate(self, count, *, seed, months, batch_size, show) -> Outcome:
        with tqdm(total=count, unit="msg", file=sys.stderr, disable=not show) as bar:
            return generate_messages(
                count,
                seed=seed,
                months=months,
                batch_size=batch_size,
                progress=bar.update,
                stage=bar.set_postfix_str,
            )

    def report(self, outcome: Outcome) -> None:
        self.stdout.write(
            f"Wrote {outcome.messages} messages in {outcome.seconds:.1f} s "
            f"({outcome.per_second:,.0f} messages/s)."
        )
        states = ", ".join(f"{state} {n}" for state, n in outcome.states.most_common())
        self.stdout.write(f"States: {states}")
        rows = ", ".join(f"{name} {n}" for name, n in outcome.rows.items())
        self.stdout.write(f"Rows: {rows}")

    def report_phases(self, phases: dict[str, float], total: float) -> None:
        """Where the command's time went (load tests are measured by it)."""
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in phases.items())
        self.stdout.write(f"Phases: {parts}; in all {total:.1f} s.")

    def print_logins(self) -> None:
        logins = world.logins()
        header = ("role", "username", "password", "where")
        table = [header] + [(x.role, x.username, world.PASSWORD, x.where) for x in logins]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (local use only):"))
        for number, row in enumerate(table):
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  " + "  ".join(cells).rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write(
            "Staff sign in at /accounts/staff/login/; every staff role also needs a one-time "
            "code: `liuyan demo-otp demo-moderator` prints one."
        )


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
