"""Rising topics from the messages: the counts per domain and region, and the dashboard panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from liuyan.board.access import staff_scope
from liuyan.board.models import Message
from liuyan.directory.models import Domain
from liuyan.reports.rising import rising_in

pytestmark = pytest.mark.django_db


def _messages(world, board, domain, when, n, start):
    Message.objects.bulk_create(
        Message(
            serial=f"R{start + i:06d}",
            board=board,
            region=board.region,
            domain=domain,
            type="complaint",
            title="t",
            body="b",
            public_title="t",
            public_body="b",
            state="dispatched",
            submitted_at=when - timedelta(hours=i),
            author=world.citizen,
        )
        for i in range(n)
    )


def test_a_surge_in_one_domain_and_county_is_found_and_shown(world, client):
    now = timezone.now()
    housing = Domain.objects.create(name="城乡建设", level=1)
    property_ = Domain.objects.create(name="物业管理", level=2, parent=housing)
    traffic = Domain.objects.create(name="交通运输", level=1)
    start = 0
    for week in range(1, 9):  # two a week before, in both domains
        for domain in (property_, traffic):
            _messages(world, world.board, domain, now - timedelta(days=7 * week + 1), 2, start)
            start += 2
    _messages(world, world.board, property_, now - timedelta(days=1), 12, start)  # the surge
    _messages(world, world.board, traffic, now - timedelta(days=1), 3, start + 100)  # normal

    rows = rising_in(region_ids=None, now=now)
    found = {(row.domain.name, row.region.name): row for row in rows}
    # Counted under its first-level domain, for the city and the province above it.
    assert set(found) == {("城乡建设", "长沙市"), ("城乡建设", "湖南省")}
    assert found[("城乡建设", "长沙市")].observed == 12
    assert found[("城乡建设", "长沙市")].expected == pytest.approx(2.0)

    # Another city's leader sees nothing of it; the city's leader does.
    assert rising_in(region_ids={world.other_city.pk}, now=now) == []
    panel = Template("{% load reports_rising %}{% rising_topics_panel scope %}")
    html = panel.render(Context({"scope": staff_scope(world.leader)}))
    assert "城乡建设" in html and "长沙市" in html and "12" in html
    html = panel.render(Context({"scope": staff_scope(world.other_leader)}))
    assert "城乡建设" not in html
