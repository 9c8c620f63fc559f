"""Rising topics from the messages: the counts per domain and region, and the dashboard panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.template import Context, Template
from django.utils import timezone

from liuyan.board.access import staff_scope
from liuyan.board.models import Message
from liuyan.directory.models import Domain
from liuyan.reports.rising import (
    THROWN_OUT,
    WEEKS_BACK,
    _window_counts,
    cached_rising_in,
    rising_in,
)

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


def _old_window(since, until, region_ids):
    """One window as the code before issue #13 counted it, one query per window."""
    messages = Message.objects.filter(
        submitted_at__gte=since, submitted_at__lt=until, domain__isnull=False
    ).exclude(state__in=THROWN_OUT)
    if region_ids is not None:
        messages = messages.filter(region_id__in=region_ids)
    rows = (
        messages.annotate(
            top=Coalesce("domain__parent__parent_id", "domain__parent_id", "domain_id")
        )
        .values_list("top", "region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(top, region): n for top, region, n in rows}


def test_the_windows_of_one_query_equal_one_query_per_window(world):
    now = timezone.now()
    housing = Domain.objects.create(name="城乡建设", level=1)
    property_ = Domain.objects.create(name="物业管理", level=2, parent=housing)
    lift = Domain.objects.create(name="电梯", level=3, parent=property_)
    start = 0
    # On the windows' edges (exactly 7k days back belongs to the older window), inside them,
    # in the future and before the nine weeks; on both boards' regions, one thrown out.
    for days in (0, 1, 7, 7.001, 13.9, 14, 20, 35, 62.99, 63, 64, -1):
        for board, domain in ((world.board, lift), (world.other_board, housing)):
            _messages(world, board, domain, now - timedelta(days=days), 2, start)
            start += 2
    Message.objects.filter(serial="R000000").update(state="rejected")
    weeks = WEEKS_BACK + 1
    for region_ids in (None, {world.city.pk}, {world.other_city.pk, world.province.pk}, set()):
        expected = [
            _old_window(now - timedelta(days=7 * (k + 1)), now - timedelta(days=7 * k), region_ids)
            for k in range(weeks)
        ]
        assert _window_counts(now, weeks, region_ids) == expected
    assert any(_window_counts(now, weeks, None))


def test_the_panel_is_cached_per_set_of_regions(world, django_assert_num_queries):
    now = timezone.now()
    traffic = Domain.objects.create(name="交通运输", level=1)
    for week in range(1, 9):
        _messages(world, world.board, traffic, now - timedelta(days=7 * week + 1), 1, week * 10)
    _messages(world, world.board, traffic, now - timedelta(days=1), 12, 500)
    city, other = {world.city.pk}, {world.other_city.pk}
    shown = cached_rising_in(region_ids=city, now=now, limit=8)
    assert shown and shown == rising_in(region_ids=city, now=now, limit=8)
    with django_assert_num_queries(0):
        assert cached_rising_in(region_ids=city, now=now, limit=8) == shown
    # Another set of regions is its own entry: the city's rise is not shown to another city.
    assert cached_rising_in(region_ids=other, now=now, limit=8) == []
    assert cached_rising_in(region_ids=city | other, now=now, limit=8) != []
