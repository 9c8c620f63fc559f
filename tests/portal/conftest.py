"""Portal fixtures: messages in the states the pages show, made through the board services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import MONDAY

BODY = "小区门口的路灯坏了两个多月，晚上出行很不安全，希望有关部门尽快修理。"


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings, tmp_path):
    from django.core.cache import cache

    from liuyan.board.similarity import forget_index

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # figures are cached for minutes; each test counts its own messages
    forget_index()  # the similarity index lives per process; each test has its own messages
    yield
    cache.clear()
    forget_index()


@pytest.fixture
def domain(db):
    from liuyan.directory.models import Domain

    top = Domain.objects.create(name="城乡建设", level=1)
    return Domain.objects.create(name="市政设施", level=2, parent=top)


class Maker:
    """Builds messages step by step with the real services, as people would."""

    def __init__(self, world, domain):
        self.w = world
        self.domain = domain
        self.count = 0
        self.base = MONDAY  # set nearer to now where the rating window must still be open

    def submitted(self, *, author=None, public=True, board=None, title=None, body=BODY, at=None):
        from liuyan.board import services

        self.count += 1
        return services.submit_message(
            author=author or self.w.citizen,
            board=board or self.w.board,
            type="complaint",
            title=title or f"路灯损坏请求维修第{self.count}号",
            body=body,
            is_public=public,
            domain=self.domain,
            contact={"phone": "13912345678"},
            now=at or self.base + timedelta(minutes=self.count),
        )

    def dispatched(self, unit=None, **kwargs):
        from liuyan.board import services

        message = self.submitted(**kwargs)
        services.dispatch_message(
            message_id=message.pk,
            actor=self.w.moderator,
            lead_unit=unit or self.w.bureau,
            now=message.submitted_at + timedelta(hours=2),
        )
        message.refresh_from_db()
        return message

    def accepted(self, **kwargs):
        from liuyan.board import services

        message = self.dispatched(**kwargs)
        assignment = message.assignments.get()
        handler = self._handler_for(assignment.unit)
        services.accept_assignment(
            assignment_id=assignment.pk,
            actor=handler,
            now=message.submitted_at + timedelta(hours=3),
        )
        message.refresh_from_db()
        return message

    def replied(self, reply="您反映的路灯问题已安排维修，现已修复。", **kwargs):
        from liuyan.board import services

        message = self.accepted(**kwargs)
        assignment = message.assignments.get()
        handler = self._handler_for(assignment.unit)
        at = message.submitted_at + timedelta(days=2)
        draft = services.submit_reply(
            assignment_id=assignment.pk, actor=handler, body=reply, now=at
        )
        services.approve_reply(reply_id=draft.pk, actor=self.w.moderator, now=at)
        message.refresh_from_db()
        return message

    def _handler_for(self, unit):
        return {
            self.w.bureau.pk: self.w.handler,
            self.w.other_unit.pk: self.w.other_handler,
            self.w.district_office.pk: self.w.sub_handler,
        }[unit.pk]


@pytest.fixture
def make(world, domain) -> Maker:
    return Maker(world, domain)


def jpeg_with_gps(size=(64, 48), color=(200, 30, 30)) -> bytes:
    """A JPEG whose EXIF carries a camera model and a GPS position, as phones write them."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x0110] = "TestPhone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (28.0, 12.0, 30.0)
    gps[3] = "E"
    gps[4] = (112.0, 58.0, 10.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name="photo.jpg", data=None, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data if data is not None else jpeg_with_gps(), content_type)
