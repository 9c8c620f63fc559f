import re

import pytest


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    """Texts go through the development backend into a temporary var/ directory."""
    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.DevelopmentSMSBackend"
    settings.VAR_DIR = tmp_path
    return tmp_path / "sms-outbox.log"


@pytest.fixture
def last_code(sms_outbox):
    """Read the code of the last text sent to a number, as the citizen would on their phone."""

    def read(phone: str) -> str:
        lines = [
            line for line in sms_outbox.read_text("utf-8").splitlines() if f"\t{phone}\t" in line
        ]
        return re.search(r"\b(\d{6})\b", lines[-1].split("\t", 2)[2]).group(1)

    return read


@pytest.fixture
def english(client):
    """Pages in English, so tests can read the msgids."""
    client.cookies["django_language"] = "en"
    return client
