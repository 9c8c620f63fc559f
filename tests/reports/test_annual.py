"""The annual report on a data set built so that every figure is known in advance."""

from __future__ import annotations

from datetime import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from liuyan.board.models import Assignment, Evaluation, Message, Reply
from liuyan.core.clock import SHANGHAI
from liuyan.directory.models import Board, Domain
from liuyan.reports import annual_services
from liuyan.reports.annual import annual_figures
from liuyan.reports.figures import services as figure_services

pytestmark = pytest.mark.django_db


def _at(year, month, day=10):
    return datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


class Builder:
    def __init__(self, world):
        self.world, self.n = world, 0
        self.province_board = Board.objects.create(
            name="湖南省省长", kind="leader", region=world.province
        )
        self.county_board = Board.objects.create(
            name="长沙县县长", kind="leader", region=world.county
        )
        top = Domain.objects.create(name="城乡建设", level=1)
        self.housing = Domain.objects.create(name="房地产管理", level=2, parent=top)
        self.building = top
        self.traffic = Domain.objects.create(name="交通运输", level=1)

    def message(self, board, when, *, domain=None, state="accepted", public=True):
        self.n += 1
        return Message.objects.create(
            serial=f"T{self.n:05d}",
            board=board,
            region=board.region,
            domain=domain,
            type="complaint",
            title=f"留言{self.n}",
            body="内容",
            public_title=f"留言{self.n}",
            public_body="内容",
            state=state,
            submitted_at=when,
            is_public=public,
            author=self.world.citizen,
        )

    def reply(self, message, unit, when, *, round=1):
        assignment = Assignment.objects.create(
            message=message,
            board_id=message.board_id,
            unit=unit,
            created_at=message.submitted_at,
            accept_by=message.submitted_at,
            state="done",
            round=round,
        )
        Reply.objects.create(
            message=message,
            assignment=assignment,
            unit=unit,
            author=self.world.handler,
            body="答复",
            state="published",
            created_at=when,
            published_at=when,
            round=round,
        )
        if message.state != "closed":
            Message.objects.filter(pk=message.pk).update(state="replied", replied_at=when)

    def rate(self, message, when, *, solved=True, attitude=5, speed=5):
        Evaluation.objects.create(
            message=message,
            board_id=message.board_id,
            solved=solved,
            attitude=attitude,
            speed=speed,
            created_at=when,
        )


@pytest.fixture
def known(world):
    """2025: 8 messages received (Jan 1, Feb 1, Mar 4, Jun 2) + 1 rejected; 2024: 5.
    Answered first in 2025: 5 (Mar 1, Apr 3, Jan 1 for a 2024 message); 2024: 2."""
    b, w = Builder(world), world
    city = [b.message(w.board, _at(2025, 1), domain=b.housing)]
    city += [b.message(w.board, _at(2025, 3, d), domain=b.housing) for d in (3, 4)]
    city += [b.message(w.board, _at(2025, 3, 5), domain=b.traffic)]
    county = [
        b.message(b.county_board, _at(2025, 3, 6), domain=b.building),
        b.message(b.county_board, _at(2025, 6, 1), domain=b.building),
    ]
    other = b.message(w.other_board, _at(2025, 6, 2))
    b.message(b.province_board, _at(2025, 2))
    b.message(w.board, _at(2025, 3, 7), state="rejected")
    old = [b.message(w.board, _at(2024, m)) for m in (2, 4, 6, 8)]
    old_other = b.message(w.other_board, _at(2024, 11))
    # Replies: two in 2024, five messages first answered in 2025.
    b.reply(old[0], w.bureau, _at(2024, 5))
    b.reply(old[1], w.bureau, _at(2024, 7))
    b.reply(city[0], w.bureau, _at(2025, 3, 20))
    b.reply(city[1], w.bureau, _at(2025, 4, 2))
    b.reply(city[1], w.bureau, _at(2025, 5, 2), round=2)  # a second round: counted once
    b.reply(city[2], w.bureau, _at(2025, 4, 3))
    b.reply(county[0], w.district_office, _at(2025, 4, 4))
    b.reply(old_other, w.other_unit, _at(2025, 1, 5))
    b.rate(city[0], _at(2025, 3, 25))
    b.rate(city[1], _at(2025, 4, 8), attitude=2)
    b.rate(city[2], _at(2025, 4, 9), solved=False)
    Message.objects.filter(pk=city[0].pk).update(state="closed")
    # Written straight to the tables (no lifecycle step, as an import): count them.
    figure_services.rebuild()
    return {"city": city, "county": county, "other": other}


def test_platform_figures_are_the_known_ones(known):
    f = annual_figures(year=2025)
    assert f.title == "数说2025年网上群众工作"
    assert (f.received, f.received_before) == (8, 5)
    assert f.received_growth == pytest.approx(0.6)
    assert (f.replied, f.replied_before) == (5, 2)
    assert f.replied_growth == pytest.approx(1.5)
    assert f.answered_of_received == 4 and f.reply_rate == pytest.approx(0.5)
    assert f.messages_by_level == {1: 1, 2: 5, 3: 2}
    assert f.replies_by_level == {2: 4, 3: 1}
    assert f.messages_by_month == [1, 1, 4, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    assert f.replies_by_month == [1, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    assert (f.busiest_month_messages, f.busiest_month_replies) == (3, 4)
    assert [(r.name, r.count) for r in f.top_regions_by_messages] == [("湖南省", 8)]
    assert [(r.name, r.count) for r in f.top_domains] == [("城乡建设", 5), ("交通运输", 1)]
    assert (f.ratings, f.satisfied) == (3, 1)


def test_a_province_report_ranks_its_prefectures(known, world):
    f = annual_figures(year=2025, region=world.province)
    assert f.title == "数说2025年湖南省网上群众工作"
    assert [(r.name, r.count) for r in f.top_regions_by_messages] == [
        ("长沙市", 6),
        ("湖南省", 1),
        ("株洲市", 1),
    ] or [(r.name, r.count) for r in f.top_regions_by_messages] == [
        ("长沙市", 6),
        ("株洲市", 1),
        ("湖南省", 1),
    ]
    assert [(r.name, r.count) for r in f.top_regions_by_replies] == [("长沙市", 4), ("株洲市", 1)]
    city = annual_figures(year=2025, region=world.city)
    assert (city.received, city.replied, city.answered_of_received) == (6, 4, 4)
    assert city.messages_by_level == {2: 4, 3: 2}


def test_a_moderator_chooses_a_solved_case_and_it_is_shown_masked(known, world, client):
    case = annual_services.choose_case(
        year=2025,
        region=None,
        serial=known["city"][0].serial,
        summary="住建局上门核实，联系电话13812345678，已整改。",
        actor=world.moderator,
        now=_at(2026, 1, 5),
    )
    assert "13812345678" not in case.summary
    with pytest.raises(ValidationError) as refused:  # not answered yet
        annual_services.choose_case(
            year=2025,
            region=None,
            serial=known["other"].serial,
            summary="x",
            actor=world.moderator,
            now=_at(2026, 1, 5),
        )
    assert list(refused.value.message_dict) == ["serial"]
    page = client.get(reverse("reports:annual", args=[2025]))
    assert page.status_code == 200
    assert "数说2025年网上群众工作" in page.text and "<svg" in page.text
    assert known["city"][0].public_title in page.text
    assert client.get(reverse("reports:annual_cases", args=[2025])).status_code == 302
    client.force_login(world.handler)
    assert client.get(reverse("reports:annual_cases", args=[2025])).status_code == 403


def test_command_writes_a_pdf_with_charts_and_an_html_file(known, world, tmp_path):
    out = StringIO()
    pdf = tmp_path / "annual.pdf"
    call_command(
        "report", "annual", "--year", "2025", "--region", "430000", "--output", str(pdf), stdout=out
    )
    assert pdf.read_bytes().startswith(b"%PDF") and "8 messages" in out.getvalue()
    html = tmp_path / "annual.html"
    call_command("report", "annual", "--year", "2025", "--output", str(html), stdout=out)
    text = html.read_text(encoding="utf-8")
    assert "数说2025年网上群众工作" in text and text.count("<svg") == 6
    assert "60.0%" in text and "150.0%" in text and "50.0%" in text and "33.3%" in text
