import csv
import io

import pytest
from django.urls import reverse

from liuyan.accounts import audit
from liuyan.accounts.models import AuditEntry

from .steps import staff_sign_in

pytestmark = pytest.mark.django_db


def test_sign_in_sign_out_and_failure_are_recorded(client, world):
    client.post(reverse("accounts:staff_login"), {"username": "handler", "password": "bad"})
    staff_sign_in(client, world.handler)
    client.post(reverse("accounts:logout"))

    actions = list(AuditEntry.objects.order_by("id").values_list("action", "username"))
    assert actions == [
        ("sign_in_failed", "handler"),
        ("sign_in", "handler"),
        ("sign_out", "handler"),
    ]
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.ip_address == "127.0.0.1" and entry.roles == "handler"


def test_staff_posts_are_recorded_and_citizen_posts_are_not(client, world):
    staff_sign_in(client, world.handler)
    client.post(reverse("accounts:profile"), {"form": "profile", "nickname": "办理员"})
    entry = AuditEntry.objects.filter(action="accounts:profile").get()
    assert entry.method == "POST" and entry.path == "/accounts/profile/"
    assert entry.user == world.handler and entry.detail == {"status": 302}

    client.post(reverse("accounts:logout"))
    client.force_login(world.citizen)
    client.post(reverse("accounts:profile"), {"form": "profile", "nickname": "居民"})
    assert not AuditEntry.objects.filter(user=world.citizen).exists()


def test_gets_are_not_recorded(client, world):
    staff_sign_in(client, world.handler)
    before = AuditEntry.objects.count()
    client.get(reverse("accounts:profile"))
    assert AuditEntry.objects.count() == before


def test_the_object_of_a_post_is_read_from_the_url(client, world):
    client.force_login(world.handler)
    client.post(reverse("notifications:follow_board", args=[world.board.pk]))
    entry = AuditEntry.objects.get(action="notifications:follow_board")
    assert (entry.object_type, entry.object_id) == ("board", str(world.board.pk))


def test_explicit_record_names_the_object(rf, world):
    request = rf.post("/desk/x/", HTTP_USER_AGENT="Firefox")
    request.user = world.moderator
    entry = audit.record(request, "dispatch", obj=world.bureau, reason="test")
    assert entry.object_type == "directory.unit" and entry.object_id == str(world.bureau.pk)
    assert entry.user_agent == "Firefox" and entry.detail == {"reason": "test"}
    assert entry.roles == "moderator"


@pytest.mark.parametrize("who", ["moderator", "handler", "citizen", "leader"])
def test_only_administrators_see_the_audit_trail(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("accounts:audit")).status_code == 403
    assert client.get(reverse("accounts:audit_export")).status_code == 403


def test_administrator_filters_the_audit_trail(client, world):
    audit.record(world.handler, "desk:accept")
    audit.record(world.moderator, "desk:dispatch")
    client.force_login(world.admin)
    page = client.get(reverse("accounts:audit"), {"user": "moderator"}).content.decode()
    assert "desk:dispatch" in page and "desk:accept" not in page
    page = client.get(reverse("accounts:audit"), {"action": "desk:acc"}).content.decode()
    assert "desk:accept" in page and "desk:dispatch" not in page


def test_audit_pages_by_keyset(client, world):
    for i in range(55):
        audit.record(world.handler, f"step-{i:02d}")
    client.force_login(world.admin)
    first = client.get(reverse("accounts:audit"), {"action": "step"})
    assert "step-54" in first.content.decode() and "step-04" not in first.content.decode()
    second = client.get(
        reverse("accounts:audit"), {"action": "step", "before": first.context["next_before"]}
    )
    assert "step-04" in second.content.decode() and "step-54" not in second.content.decode()


def test_administrator_exports_csv_streaming_and_safe_for_spreadsheets(client, world):
    audit.record(world.handler, '=HYPERLINK("http://x")')
    audit.record(world.handler, "desk:accept")
    client.force_login(world.admin)

    response = client.get(reverse("accounts:audit_export"), {"user": "handler"})

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["at", "username", "roles", "action"]
    actions = [row[3] for row in rows[1:]]
    assert "desk:accept" in actions and '\'=HYPERLINK("http://x")' in actions
    assert AuditEntry.objects.filter(action="audit_export", user=world.admin).exists()


def test_audit_admin_is_read_only_and_for_administrators(client, world):
    world.admin.is_staff = True
    world.admin.save()
    world.moderator.is_staff = True
    world.moderator.save()
    entry = audit.record(world.handler, "desk:accept")
    client.force_login(world.admin)
    change = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert client.get(reverse("admin:accounts_auditentry_changelist")).status_code == 200
    assert client.post(change, {"action": "forged"}).status_code == 403
    assert (
        client.get(reverse("admin:accounts_auditentry_delete", args=[entry.pk])).status_code == 403
    )
    client.force_login(world.moderator)
    assert client.get(reverse("admin:accounts_auditentry_changelist")).status_code == 403


def test_resetting_an_authenticator_is_for_administrators_only(client, world):
    """An admin clerk who may only look at users must not strip another user's second factor."""
    from django.contrib.auth.models import Permission

    from liuyan.accounts.models import TOTPDevice, User
    from liuyan.accounts.services import start_totp_enrolment

    clerk = User.objects.create_user(username="clerk", password="pw-clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    start_totp_enrolment(user=world.moderator)
    changelist = reverse("admin:accounts_user_changelist")
    client.force_login(clerk)

    assert client.get(changelist).status_code == 200
    client.post(
        changelist,
        {"action": "reset_authenticator", "_selected_action": [world.moderator.pk]},
    )

    assert TOTPDevice.objects.filter(user=world.moderator).exists()
    assert not AuditEntry.objects.filter(action="reset_authenticator").exists()

    world.admin.is_staff = True  # a platform administrator who may view users in the admin
    world.admin.save()
    world.admin.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(world.admin)
    client.post(
        changelist,
        {"action": "reset_authenticator", "_selected_action": [world.moderator.pk]},
    )
    assert not TOTPDevice.objects.filter(user=world.moderator).exists()


def test_the_audit_export_is_never_cached(client, world):
    """The CSV names people, addresses and actions: no browser or proxy may keep a copy."""
    client.force_login(world.admin)

    response = client.get(reverse("accounts:audit_export"))

    assert "no-store" in response.get("Cache-Control", "")
    assert "private" in response.get("Cache-Control", "")
