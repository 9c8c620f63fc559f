"""Unit workbench behaviour: inbox scope and filters, the assignment steps, sign-off,
templates, the archive and attachments."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from liuyan.board import services
from liuyan.board.models import Assignment, Attachment, Reply
from liuyan.core.lifecycle import AssignmentState, ReplyState, State
from liuyan.desk.models import ReplyTemplate
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.force_login(user)
    return client


def inbox_ids(client, **params):
    response = client.get(reverse("desk:inbox"), params)
    return {a.pk for a, _ in response.context["rows"]}


def test_inbox_shows_only_the_units_own_assignments(client, world, objects):
    shown = inbox_ids(as_(client, world.handler))
    assert objects.pending.pk in shown and objects.accepted.pk in shown
    assert objects.sub_pending.pk not in shown
    assert objects.other_pending.pk not in shown


def test_head_also_sees_sub_units(client, world, objects):
    shown = inbox_ids(as_(client, world.head))
    assert {objects.pending.pk, objects.sub_pending.pk} <= shown
    assert objects.other_pending.pk not in shown


def test_inbox_filters_by_state_and_deadline(client, world, objects):
    from datetime import timedelta

    from django.utils import timezone

    as_(client, world.handler)
    assert inbox_ids(client, state="pending") == {objects.pending.pk}
    assert objects.accepted.pk in inbox_ids(client, state="accepted")
    assert inbox_ids(client, due="overdue") == set()
    Assignment.objects.filter(pk=objects.pending.pk).update(
        accept_by=timezone.now() - timedelta(days=2)
    )
    response = client.get(reverse("desk:inbox"), {"due": "overdue"})
    rows = response.context["rows"]
    assert [(a.pk, t.status) for a, t in rows] == [(objects.pending.pk, "overdue")]
    assert "row--overdue" in response.content.decode()


def test_inbox_filter_answers_htmx_with_the_rows_only(client, world, objects):
    response = as_(client, world.handler).get(
        reverse("desk:inbox"), {"state": "pending"}, HTTP_HX_REQUEST="true"
    )
    assert response.templates[0].name == "desk/unit/_inbox_rows.html"


def test_bulk_accept_accepts_only_own_pending_leads(client, world, objects):
    second = dispatch(world, submit(world), world.bureau)
    as_(client, world.handler).post(
        reverse("desk:bulk_accept"),
        {"assignment": [objects.pending.pk, second.pk, objects.other_pending.pk]},
    )
    states = dict(
        Assignment.objects.filter(
            pk__in=[objects.pending.pk, second.pk, objects.other_pending.pk]
        ).values_list("pk", "state")
    )
    assert states == {
        objects.pending.pk: AssignmentState.ACCEPTED,
        second.pk: AssignmentState.ACCEPTED,
        objects.other_pending.pk: AssignmentState.PENDING,
    }


def test_return_transfer_and_invite(client, world, objects):
    as_(client, world.handler)
    client.post(
        reverse("desk:transfer", args=[objects.pending.pk]), {"to_unit": world.district_office.pk}
    )
    child = Assignment.objects.get(parent=objects.pending)
    assert child.unit == world.district_office
    client.post(
        reverse("desk:invite", args=[objects.accepted.pk]), {"units": [world.signoff_unit.pk]}
    )
    assert Assignment.objects.filter(
        message_id=objects.accepted.message_id, kind="co", unit=world.signoff_unit
    ).exists()
    other = dispatch(world, submit(world), world.bureau)
    client.post(reverse("desk:return_assignment", args=[other.pk]), {"reason": "属于教育局"})
    other.refresh_from_db()
    assert (other.state, other.message.state) == (AssignmentState.RETURNED, State.SUBMITTED)


def test_transfer_only_to_sub_units(client, world, objects):
    response = as_(client, world.handler).post(
        reverse("desk:transfer", args=[objects.pending.pk]), {"to_unit": world.other_unit.pk}
    )
    objects.pending.refresh_from_db()
    assert response.status_code == 302
    assert objects.pending.state == AssignmentState.PENDING


def test_extension_request(client, world, objects):
    a = dispatch(world, submit(world), world.bureau)
    services.accept_assignment(assignment_id=a.pk, actor=world.handler)
    as_(client, world.handler).post(
        reverse("desk:request_extension", args=[a.pk]), {"days": 5, "reason": "需要协调"}
    )
    assert a.extension_requests.get().days == 5


def test_draft_then_submit_goes_to_review(client, world, objects):
    a = objects.accepted
    as_(client, world.handler).post(reverse("desk:write_reply", args=[a.pk]), {"body": REPLY})
    reply = Reply.objects.get(assignment=a)
    assert reply.state == ReplyState.DRAFT
    client.post(reverse("desk:write_reply", args=[a.pk]), {"body": REPLY + "谢谢。", "submit": "1"})
    reply.refresh_from_db()
    assert (reply.state, reply.body) == (ReplyState.UNDER_REVIEW, REPLY + "谢谢。")


def test_signoff_unit_reply_goes_to_the_head_who_signs_or_sends_back(client, world, objects):
    reply = objects.signoff_reply
    assert reply.state == ReplyState.AWAITING_SIGNOFF
    response = as_(client, world.signoff_head).get(reverse("desk:signoff_queue"))
    assert reply in response.context["page"].items
    client.post(reverse("desk:refuse_signoff", args=[reply.pk]), {"reason": "补充依据"})
    reply.refresh_from_db()
    assert reply.state == ReplyState.RETURNED
    as_(client, world.signoff_handler).post(
        reverse("desk:write_reply", args=[reply.assignment_id]), {"body": REPLY, "submit": "1"}
    )
    reply.refresh_from_db()
    assert reply.state == ReplyState.AWAITING_SIGNOFF
    as_(client, world.signoff_head).post(reverse("desk:sign_off", args=[reply.pk]))
    reply.refresh_from_db()
    assert (reply.state, reply.signed_off_by) == (ReplyState.UNDER_REVIEW, world.signoff_head)


def test_co_unit_gives_its_part_and_the_lead_sees_it(client, world, objects):
    m = submit(world)
    lead = dispatch(world, m, world.bureau, co_units=[world.signoff_unit])
    co = Assignment.objects.get(message=m, kind="co")
    services.accept_assignment(assignment_id=lead.pk, actor=world.handler)
    as_(client, world.signoff_handler).post(
        reverse("desk:contribute", args=[co.pk]), {"body": "教育局意见：已核实。"}
    )
    co.refresh_from_db()
    assert co.state == AssignmentState.CONTRIBUTED
    page = as_(client, world.handler).get(reverse("desk:assignment", args=[lead.pk]))
    assert "教育局意见：已核实。" in page.content.decode()


def test_templates_managed_by_the_head_and_used_by_handlers(client, world, objects):
    as_(client, world.handler).post(
        reverse("desk:create_template"),
        {"unit": world.bureau.pk, "title": "新模板", "body": "模板正文内容足够长了。"},
    )
    assert not ReplyTemplate.objects.filter(title="新模板").exists()
    as_(client, world.head).post(
        reverse("desk:create_template"),
        {"unit": world.bureau.pk, "title": "新模板", "body": "模板正文内容足够长了。"},
    )
    template = ReplyTemplate.objects.get(title="新模板")
    page = as_(client, world.handler).get(
        reverse("desk:assignment", args=[objects.accepted.pk]), {"template": template.pk}
    )
    assert page.context["reply_form"].initial["body"] == "模板正文内容足够长了。"
    fragment = client.get(reverse("desk:template_text", args=[template.pk]), HTTP_HX_REQUEST="true")
    assert "模板正文内容足够长了。" in fragment.content.decode()


def test_head_of_another_unit_cannot_create_a_template_for_the_bureau(client, world, objects):
    as_(client, world.signoff_head).post(
        reverse("desk:create_template"),
        {"unit": world.bureau.pk, "title": "越权模板", "body": "模板正文内容足够长了。"},
    )
    assert not ReplyTemplate.objects.filter(title="越权模板").exists()


def test_archive_searches_the_units_published_replies(client, world, objects):
    services.approve_reply(reply_id=objects.reviewing.pk, actor=world.moderator)
    services.approve_reply(reply_id=objects.other_reviewing.pk, actor=world.moderator)
    response = as_(client, world.handler).get(reverse("desk:archive"), {"q": "路灯线路"})
    found = {r.pk for r in response.context["page"].items}
    assert objects.reviewing.pk in found
    assert objects.other_reviewing.pk not in found  # another city's unit
    response = client.get(reverse("desk:archive"), {"q": "没有这个词"})
    assert response.context["page"].items == []


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "home address 12"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _draft(client, world, objects):
    a = objects.accepted
    as_(client, world.handler).post(reverse("desk:write_reply", args=[a.pk]), {"body": REPLY})
    return a


def test_attached_picture_loses_its_metadata(client, world, objects):
    a = _draft(client, world, objects)
    raw = _jpeg_with_exif()
    assert b"SecretCam" in raw
    upload = SimpleUploadedFile("现场.jpg", raw, content_type="image/jpeg")
    client.post(reverse("desk:upload_attachment", args=[a.pk]), {"file": upload})
    attachment = Attachment.objects.get(reply__assignment=a)
    stored = attachment.file.read()
    assert b"SecretCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert (attachment.width, attachment.height) == (40, 30)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("fake.png", b"GIF89a"),
    ],
)
def test_attachments_of_wrong_type_or_content_are_refused(client, world, objects, name, content):
    a = _draft(client, world, objects)
    upload = SimpleUploadedFile(name, content)
    client.post(reverse("desk:upload_attachment", args=[a.pk]), {"file": upload})
    assert not Attachment.objects.filter(reply__assignment=a).exists()


def test_oversized_attachment_is_refused(client, world, objects):
    a = _draft(client, world, objects)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    client.post(reverse("desk:upload_attachment", args=[a.pk]), {"file": upload})
    assert not Attachment.objects.filter(reply__assignment=a).exists()


def test_pdf_attachment_is_kept_and_downloadable_by_the_unit(client, world, objects):
    a = _draft(client, world, objects)
    upload = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test")
    client.post(reverse("desk:upload_attachment", args=[a.pk]), {"file": upload})
    attachment = Attachment.objects.get(reply__assignment=a)
    response = client.get(reverse("desk:attachment", args=[attachment.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
