"""The audit trail reads as sentences: 交办留言 <serial> 给 <unit>, 登录, 管理员 — not codes."""

import pytest
from django.urls import reverse

from liuyan.accounts import audit
from liuyan.accounts.models import AuditEntry
from tests.desk.conftest import submit

from .steps import staff_sign_in

pytestmark = pytest.mark.django_db


def test_a_dispatch_reads_as_a_sentence_with_serial_and_unit(client, world):
    message = submit(world)
    client.force_login(world.moderator)
    client.post(
        reverse("desk:dispatch", args=[message.pk]),
        {"lead_unit": world.bureau.pk, "note": "请依法办理，电话13912345678"},
    )
    entry = AuditEntry.objects.get(action="desk:dispatch")
    # Ids and codes are kept, never the free text of the note.
    assert entry.detail["lead_unit"] == str(world.bureau.pk)
    assert "13912345678" not in str(entry.detail)

    client.force_login(world.admin)
    page = client.get(reverse("accounts:audit")).content.decode()
    assert f"交办留言 {message.serial} 给 {world.bureau.name}" in page
    assert "{&#x27;status&#x27;: 302}" not in page and "{'status': 302}" not in page


def test_sign_in_and_roles_are_in_words(client, world):
    staff_sign_in(client, world.handler)
    world.admin.is_superuser = True
    world.admin.save()
    audit.record(world.admin, "audit_export")
    client.force_login(world.admin)
    page = client.get(reverse("accounts:audit")).content.decode()
    assert "登录" in page
    assert "办理人员" in page
    assert "超级管理员、管理员" in page
    assert "superuser,admin" not in page


def test_the_csv_export_carries_the_sentence(client, world):
    import csv
    import io

    message = submit(world)
    client.force_login(world.moderator)
    client.post(reverse("desk:dispatch", args=[message.pk]), {"lead_unit": world.bureau.pk})
    client.force_login(world.admin)
    response = client.get(reverse("accounts:audit_export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "description"
    assert f"交办留言 {message.serial} 给 {world.bureau.name}" in [row[-1] for row in rows[1:]]
