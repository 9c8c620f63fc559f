"""Sending text messages, through a backend chosen by `settings.LIUYAN_SMS_BACKEND`.

A backend is any class with a no-argument constructor and this method:

    def send(self, phone: str, text: str) -> None:
        '''Send `text` to the mainland mobile number `phone` (11 digits, no prefix).

        Return when the gateway has accepted the message; raise SMSError (with a short reason
        that is safe to log: no codes, no message text) when it has not.'''

A production backend wraps the provider's HTTP API (Aliyun, Tencent Cloud, a government
gateway …), keeps its credentials in the environment, and lives in its own module so that
`LIUYAN_SMS_BACKEND=yourpackage.sms.GatewayBackend` selects it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """The text message could not be sent."""


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class DevelopmentSMSBackend:
    """For development: writes each text to the log and appends it to var/sms-outbox.log."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        outbox = Path(settings.VAR_DIR) / "sms-outbox.log"
        try:
            outbox.parent.mkdir(parents=True, exist_ok=True)
            with outbox.open("a", encoding="utf-8") as file:
                file.write(f"{_stamp(timezone.now())}\t{phone}\t{text}\n")
        except OSError as error:
            raise SMSError(f"cannot write the SMS outbox: {error.strerror}") from error


class UnconfiguredSMSBackend:
    """The production default until a gateway is configured: refuses rather than pretends."""

    def send(self, phone: str, text: str) -> None:
        raise SMSError("no SMS gateway is configured (set LIUYAN_SMS_BACKEND)")


def _stamp(at: datetime) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


def sms_backend() -> SMSBackend:
    return import_string(settings.LIUYAN_SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    """Send one text through the configured backend; raises SMSError on failure."""
    sms_backend().send(phone, text)
