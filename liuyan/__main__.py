"""The `liuyan` console script: Django's management commands with our settings."""

import os
import sys

# Commands that neither serve pages nor sign or encrypt anything, so they start without
# LIUYAN_SECRET_KEY even with DEBUG off: the insight batch tools read CSV files and write model
# files, `check` reports problems (with --deploy, a missing secret among them), `help` lists.
# Everything else (servers, workers, `tick`, anything that touches sessions or personal data)
# still refuses to start without it: see SECRET_KEY in liuyan/settings.py.
SECRETLESS_COMMANDS = frozenset(
    {"help", "check", "insight", "version", "--help", "-h", "--version"}
)
# Read by settings: set, an empty LIUYAN_SECRET_KEY is allowed (and stays empty).
EXEMPTION_VARIABLE = "LIUYAN_SECRET_KEY_NOT_NEEDED"


def needs_secret(args: list[str]) -> bool:
    """Whether the command in `args` (what follows `liuyan`) needs the real secret key."""
    return bool(args) and args[0] not in SECRETLESS_COMMANDS


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
    # Set for the commands above only, and taken away from all others, so that the exemption
    # cannot be handed to a server from outside.
    if needs_secret(args):
        os.environ.pop(EXEMPTION_VARIABLE, None)
    else:
        os.environ[EXEMPTION_VARIABLE] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liuyan", *args])


if __name__ == "__main__":
    main()
