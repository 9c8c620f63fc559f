"""Fixtures for the directory tests."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from liuyan.directory.selectors import forget_work_calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The calendar cache outlives a test's database transaction: start and end empty."""
    forget_work_calendar()
    yield
    forget_work_calendar()


@pytest.fixture(autouse=True)
def english():
    """Assertions read the English msgids; the site itself speaks Simplified Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def run():
    """Run a management command by its `liuyan` name and return what it printed."""

    def run_command(name: str, *args) -> str:
        out = StringIO()
        call_command(name, *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    return run_command


@pytest.fixture
def admin_client(client, django_user_model):
    """A logged-in superuser; named apart from the shared `world` fixture's "admin" user."""
    superuser = django_user_model.objects.create_superuser(
        username="directory-superuser", password="pw-directory-superuser"
    )
    client.force_login(superuser)
    client.cookies["django_language"] = "en"  # the pages speak the English msgids
    return client
