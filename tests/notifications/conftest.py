import pytest
from django.test import override_settings

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def immediate_tasks():
    """Tasks run as soon as they are queued, inside the test."""
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    settings.LIUYAN_SMS_BACKEND = "liuyan.accounts.sms.DevelopmentSMSBackend"
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path / "sms-outbox.log"
