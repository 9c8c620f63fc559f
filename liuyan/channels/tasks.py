"""Background work of the channels: one pass over the configured IMAP mailbox.

For a worker that polls: queue `read_mailbox` from cron or `liuyan tick`'s schedule; for mail
taken in within seconds run `liuyan mailbox imap --idle` as a service instead.
"""

from __future__ import annotations

from dataclasses import asdict

from django.conf import settings
from django_tasks import task

from .mailbox import ImapSettings, ImapSource


@task()
def read_mailbox() -> dict[str, int]:
    """Take in every unseen mail of LIUYAN_MAILBOX_HOST's folder; returns the tally."""
    if not settings.LIUYAN_MAILBOX_HOST:
        return {}
    return asdict(ImapSource(ImapSettings.from_settings()).run_once())
