"""Writing a message: validation that keeps what was typed, the preview, one message per form,
and images stored without their metadata."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from liuyan.board.models import Attachment, Message, MessageContact
from liuyan.portal import views

from .conftest import jpeg_with_gps, upload

BODY = "我的电话是13912345678，小区门口的路灯坏了两个多月，晚上出行很不安全，请尽快修理。"


@pytest.fixture
def writer(client, world):
    client.force_login(world.citizen)
    return client


def _token(client, board) -> str:
    page = client.get(reverse("portal:write") + f"?board={board.pk}")
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def _fields(world, domain, token, **overrides):
    data = {
        "form_token": token,
        "board": world.board.pk,
        "type": "complaint",
        "domain": domain.pk,
        "title": "小区门口路灯损坏",
        "body": BODY,
        "place": "长沙县星沙街道",
        "is_public": "1",
        "contact_phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_writing_needs_a_signed_in_user(client, world):
    response = client.get(reverse("portal:write") + f"?board={world.board.pk}")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_without_a_board_the_citizen_is_sent_to_choose_one(writer):
    response = writer.get(reverse("portal:write"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:boards")


def test_errors_are_explained_and_nothing_typed_is_lost(writer, world, domain):
    token = _token(writer, world.board)
    data = _fields(world, domain, token, title="短", contact_phone="12345")
    response = writer.post(reverse("portal:write"), {**data, "step": "preview"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "contact_phone"}
    assert "5" in form.errors["title"][0] and "50" in form.errors["title"][0]
    assert BODY in response.text  # the body comes back in the textarea
    assert 'value="长沙县星沙街道"' in response.text
    assert Message.objects.count() == 0


def test_preview_highlights_what_is_masked_and_sends_nothing(writer, world, domain):
    token = _token(writer, world.board)
    response = writer.post(
        reverse("portal:write"), {**_fields(world, domain, token), "step": "preview"}
    )
    assert response.status_code == 200
    assert '<mark class="masked">139****5678' in response.text
    assert Message.objects.count() == 0
    # Every field travels on as a hidden input, ready for "send" or "change it".
    assert f'name="form_token" value="{token}"' in response.text


def test_preview_lists_similar_public_messages_on_the_board(writer, world, domain, make):
    earlier = make.replied(title="小区路灯损坏无人修理")
    token = _token(writer, world.board)
    response = writer.post(
        reverse("portal:write"), {**_fields(world, domain, token), "step": "preview"}
    )
    assert earlier in response.context["similar"]


def test_change_it_returns_the_filled_form(writer, world, domain):
    token = _token(writer, world.board)
    response = writer.post(
        reverse("portal:write"), {**_fields(world, domain, token), "step": "edit"}
    )
    assert response.status_code == 200
    assert "portal/write.html" in [t.name for t in response.templates]
    assert BODY in response.text


def test_send_creates_the_message_with_masked_public_text_and_private_contact(
    writer, world, domain
):
    token = _token(writer, world.board)
    response = writer.post(
        reverse("portal:write"), {**_fields(world, domain, token), "step": "send"}
    )
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:message", args=[message.serial])
    assert (message.author, message.board, message.domain) == (world.citizen, world.board, domain)
    assert message.place == "长沙县星沙街道"
    assert "139****5678" in message.public_body and "13912345678" in message.body
    assert MessageContact.objects.get(message=message).phone == "13912345678"


def test_private_choice_is_kept(writer, world, domain):
    token = _token(writer, world.board)
    writer.post(
        reverse("portal:write"), {**_fields(world, domain, token, is_public="0"), "step": "send"}
    )
    assert Message.objects.get().is_public is False


def test_a_resent_form_answers_with_the_message_it_created(writer, world, domain):
    """Back and resend, or a client retrying after a lost answer: the same message, not a second
    one, and not "already sent" without saying which."""
    token = _token(writer, world.board)
    data = {**_fields(world, domain, token), "step": "send"}
    first = writer.post(reverse("portal:write"), data)
    second = writer.post(reverse("portal:write"), data, follow=True)
    message = Message.objects.get()
    assert first["Location"] == reverse("portal:message", args=[message.serial])
    assert second.redirect_chain[-1][0] == reverse("portal:message", args=[message.serial])
    assert message.serial in second.text
    assert "already sent" not in second.text and "已经提交过" not in second.text


def _loaded_together(writer, world, data=None, method="post"):
    """A request of the writer's browser session, loaded from the database now: build several
    before running any, and each holds its own copy of the session, as concurrent requests do."""
    session_key = writer.cookies["sessionid"].value
    factory = RequestFactory()
    path = reverse("portal:write")
    if method == "get":
        req = factory.get(path, {"board": world.board.pk})
    else:
        req = factory.post(path, data)
    req.session = SessionStore(session_key)
    req.session.load()
    req.user = world.citizen
    req.htmx = False
    req._messages = default_storage(req)
    return req


def test_two_clicks_that_loaded_the_session_together_create_one_message(writer, world, domain):
    """The second click arrives before the first has saved the session: both requests hold a
    copy of it. The token is checked against the database, so only one message is made."""
    token = _token(writer, world.board)
    data = {**_fields(world, domain, token), "step": "send"}
    first, second = _loaded_together(writer, world, data), _loaded_together(writer, world, data)
    assert views.write(first).status_code == 302
    answer = views.write(second)
    message = Message.objects.get()
    assert answer["Location"] == reverse("portal:message", args=[message.serial])


def test_two_forms_opened_at_once_in_one_session_both_send(writer, world, domain):
    """Two tabs opened together: each request saves its own copy of the session, and the one saved
    last must not take the other tab's form token with it."""
    tabs = [_loaded_together(writer, world, method="get") for _ in range(2)]
    tokens = []
    for tab in tabs:
        page = views.write(tab)
        tokens.append(re.search(r'name="form_token" value="([^"]+)"', page.content.decode())[1])
    for tab in tabs:
        tab.session.save()  # as the session middleware does after each response
    answers = [
        writer.post(
            reverse("portal:write"),
            {**_fields(world, domain, token, title=f"小区门口路灯损坏第{n}处"), "step": "send"},
        )
        for n, token in enumerate(tokens)
    ]
    assert Message.objects.count() == 2
    serials = set(Message.objects.values_list("serial", flat=True))
    assert {answer["Location"] for answer in answers} == {
        reverse("portal:message", args=[serial]) for serial in serials
    }


def test_a_send_that_failed_can_be_sent_again(writer, world, domain, monkeypatch):
    """The database failed halfway through the send: nothing was made and the token was not used,
    so the retry makes the message."""
    token = _token(writer, world.board)
    data = {**_fields(world, domain, token), "step": "send"}
    real_attach = views.uploads.attach_images

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(views.uploads, "attach_images", real_attach)
        raise DatabaseError("connection lost")

    monkeypatch.setattr(views.uploads, "attach_images", fail_once)
    writer.raise_request_exception = False
    assert writer.post(reverse("portal:write"), data).status_code == 500
    assert Message.objects.count() == 0
    answer = writer.post(reverse("portal:write"), data)
    message = Message.objects.get()
    assert answer["Location"] == reverse("portal:message", args=[message.serial])


def test_a_form_token_of_another_citizen_sends_nothing(writer, client, world, domain):
    token = _token(writer, world.board)
    client.force_login(world.other_citizen)
    answer = client.post(reverse("portal:write"), {**_fields(world, domain, token), "step": "send"})
    assert answer.status_code == 302 and Message.objects.count() == 0


def test_images_are_reencoded_without_exif_or_gps(writer, world, domain):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test image has GPS
    token = _token(writer, world.board)
    data = {**_fields(world, domain, token), "step": "send", "images": [upload(data=original)]}
    writer.post(reverse("portal:write"), data)
    attachment = Attachment.objects.get()
    stored = attachment.file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()  # no camera model, no GPS IFD
    assert b"TestPhone" not in stored and b"Exif" not in stored
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.uploaded_by == world.citizen
    assert attachment.original_name == "photo.jpg"
    assert "photo" not in attachment.file.name  # the stored name is a random token


def test_images_survive_a_validation_error_and_the_preview(writer, world, domain):
    token = _token(writer, world.board)
    url = reverse("portal:write")
    bad = {**_fields(world, domain, token, title="短"), "step": "preview", "images": [upload()]}
    assert writer.post(url, bad).status_code == 400
    preview = writer.post(url, {**_fields(world, domain, token), "step": "preview"})
    assert len(preview.context["draft"].images) == 1
    writer.post(url, {**_fields(world, domain, token), "step": "send"})
    assert Attachment.objects.filter(message=Message.objects.get()).count() == 1


def test_a_removed_draft_image_is_not_attached(writer, world, domain):
    token = _token(writer, world.board)
    url = reverse("portal:write")
    page = writer.post(url, {**_fields(world, domain, token), "step": "edit", "images": [upload()]})
    key = page.context["draft"].images[0].key
    writer.post(url, {**_fields(world, domain, token), "step": "send", "remove_images": [key]})
    assert Message.objects.count() == 1 and Attachment.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused_with_its_name(writer, world, domain):
    token = _token(writer, world.board)
    fake = upload(name="virus.jpg", data=b"MZ\x90\x00 not a picture at all")
    data = {**_fields(world, domain, token), "step": "send", "images": [fake]}
    response = writer.post(reverse("portal:write"), data)
    assert response.status_code == 400
    assert "virus.jpg" in response.context["form"].errors["images"][0]
    assert Message.objects.count() == 0


def test_more_than_six_images_are_refused(writer, world, domain):
    token = _token(writer, world.board)
    files = [upload(name=f"p{i}.jpg") for i in range(7)]
    data = {**_fields(world, domain, token), "step": "send", "images": files}
    response = writer.post(reverse("portal:write"), data)
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_preview_shows_the_place_as_the_public_will_see_it(writer, world, domain):
    token = _token(writer, world.board)
    fields = _fields(world, domain, token, place="丽景小区门口，电话13907315566")
    response = writer.post(reverse("portal:write"), {**fields, "step": "preview"})
    assert '<mark class="masked">139****5566' in response.text
