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


@task()
def text_serial_to_caller(message_id: int) -> bool:
    """Text the caller the serial of the message an operator entered; False if not sent."""
    import logging

    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from liuyan.accounts.sms import SMSError, send_sms
    from liuyan.board.models import MessageContact

    contact = (
        MessageContact.objects.select_related("message__board")
        .filter(message_id=message_id)
        .first()
    )
    if contact is None or not contact.phone:
        return False
    with override(settings.LANGUAGE_CODE):
        text = _(
            "[%(site)s] Your message to %(board)s is registered as %(serial)s. Use this number "
            "to follow it."
        ) % {
            "site": _("Leader message board"),
            "board": contact.message.board.name,
            "serial": contact.message.serial,
        }
    try:
        send_sms(contact.phone, text)
    except SMSError:
        logging.getLogger(__name__).exception("serial SMS for message %s not sent", message_id)
        return False
    return True
