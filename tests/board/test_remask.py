"""Rows stored before masking by shape (issue #11) are re-masked by `liuyan remask-public-text`
(and by the data migration that calls the same code), and the search index follows; a
moderator's correction of the public text is masked when it is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from liuyan.board import search, services
from liuyan.board.models import Message

BAD_ID = "430102199003071257"
OLD_BODY = f"我家住枫林三路88号3栋502室，身份证号{BAD_ID}，楼下烧烤店噪音扰民到凌晨。"

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(db):
    from liuyan.directory.models import Domain

    top = Domain.objects.create(name="城乡建设", level=1)
    return Domain.objects.create(name="市政设施", level=2, parent=top)


@pytest.fixture
def old_row(world, domain):
    """A published message whose public copy was made by the old masking: unmasked."""
    from tests.conftest import MONDAY

    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="烧烤店噪音扰民严重",
        body=OLD_BODY,
        domain=domain,
        now=MONDAY,
    )
    services.dispatch_message(
        message_id=message.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        now=MONDAY + timedelta(hours=1),
    )
    message.refresh_from_db()
    stale = search.search_text_for(Message(public_title=message.public_title, public_body=OLD_BODY))
    Message.objects.filter(pk=message.pk).update(public_body=OLD_BODY, search_text=stale)
    return message


def _found(query):
    return [hit.message.pk for hit in search.search_public(query).hits]


def test_remask_command_masks_old_rows_and_the_index(old_row, capsys):
    assert _found(BAD_ID) == [old_row.pk]  # the defect: the index finds the ID number
    call_command("remask-public-text")
    row = Message.objects.get(pk=old_row.pk)
    assert BAD_ID not in row.public_body and BAD_ID not in row.search_text
    assert "3栋502室" not in row.public_body and "枫林三路" in row.public_body
    assert _found(BAD_ID) == []
    assert _found("烧烤店") == [old_row.pk]
    assert "re-masked" in capsys.readouterr().out


def test_remask_is_idempotent(old_row):
    call_command("remask-public-text")
    first = Message.objects.get(pk=old_row.pk)
    call_command("remask-public-text")
    again = Message.objects.get(pk=old_row.pk)
    assert (again.public_body, again.search_text) == (first.public_body, first.search_text)


def test_the_data_migration_re_masks_with_the_same_code(old_row):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("liuyan.board.migrations.0007_masking_remask_public_text")
    migration.remask(apps, schema_editor=None)
    assert BAD_ID not in Message.objects.get(pk=old_row.pk).public_body
    assert _found(BAD_ID) == []


def test_a_moderators_correction_of_the_public_text_is_masked_too(world, domain):
    """Screening may rewrite the public copy; what the moderator types is published, so it is
    masked like the citizen's text (pasting the original back must not publish it)."""
    from tests.conftest import MONDAY

    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title="烧烤店噪音扰民严重",
        body=OLD_BODY,
        domain=domain,
        now=MONDAY,
    )
    services.screen_message(
        message_id=message.pk,
        actor=world.moderator,
        public_title=f"身份证{BAD_ID}的投诉",
        public_body=OLD_BODY,
        now=MONDAY + timedelta(hours=1),
    )
    row = Message.objects.get(pk=message.pk)
    assert BAD_ID not in row.public_title + row.public_body + row.search_text
    assert "3栋502室" not in row.public_body
