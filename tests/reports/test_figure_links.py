"""Every figure links to the public messages behind it (issue #15): on a demo world, each link
of the home page's, a board page's and the statistics pages' figures (the platform, a board, a
unit) is followed to the end of its list, and the list holds as many messages as the figure
says, none of them private."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from liuyan.board.models import Message
from liuyan.reports.figures import pages
from liuyan.reports.models import Figure

pytestmark = pytest.mark.django_db

MESSAGES = 300


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo world for the module (a few seconds), rolled back at the end."""
    from liuyan.directory.selectors import forget_work_calendar

    with django_db_blocker.unblock(), transaction.atomic():
        forget_work_calendar()
        call_command(
            "demo-data", messages=MESSAGES, seed=7, force=True, verbosity=0, stdout=StringIO()
        )
        yield
        transaction.set_rollback(True)
    forget_work_calendar()


@pytest.fixture(autouse=True)
def _long_pages(monkeypatch):
    """Lists of 500 a page: the links are many, and paging is tested elsewhere."""
    from liuyan.reports.figures import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 500)


def listed(client, link: str) -> list[Message]:
    """The messages of a figure's list, every page of it."""
    found: list[Message] = []
    url = link
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        found += response.context["page"].items
        more = response.context["next_query"]
        url = f"{urlsplit(link).path}?{more}" if more else ""
    assert len({m.pk for m in found}) == len(found), link
    return found


def assert_public(messages: list[Message]) -> None:
    private = [m.serial for m in messages if not (m.is_public and m.pk in PUBLIC_IDS)]
    assert not private, private


PUBLIC_IDS: set[int] = set()


@pytest.fixture
def public_ids(demo):
    from liuyan.board.selectors import public_messages

    PUBLIC_IDS.clear()
    PUBLIC_IDS.update(public_messages().values_list("pk", flat=True))
    assert Message.objects.count() > len(PUBLIC_IDS)  # private ones exist to leave out
    return PUBLIC_IDS


def check_block(client, figures, links) -> None:
    """A portal figure block: messages, replied, rated, satisfied, each as many as listed."""
    assert figures.messages > 0 and figures.replied > 0
    for measure, expected in (
        ("received", figures.messages),
        ("replied", figures.replied),
        ("rated", figures.rated),
        ("satisfied", figures.satisfied),
    ):
        rows = listed(client, links[measure])
        assert len(rows) == expected, measure
        assert_public(rows)


def test_home_page_figures_link_to_as_many_public_messages(client, public_ids):
    response = client.get(reverse("portal:home"))
    links = response.context["figure_links"]
    for link in links.values():
        assert link.replace("&", "&amp;") in response.text
    check_block(client, response.context["figures"], links)


def test_board_page_figures_link_to_as_many_public_messages(client, public_ids):
    busiest = (
        Figure.objects.filter(kind="board", period="y", public=True)
        .order_by("-received")
        .values_list("key", flat=True)
    )
    for board in list(dict.fromkeys(busiest))[:2]:
        response = client.get(reverse("portal:board", args=[board]))
        links = response.context["figure_links"]
        assert parse_qs(urlsplit(links["received"]).query)["period"] == [pages.ALL_TIME]
        for link in links.values():
            assert link.replace("&", "&amp;") in response.text
        check_block(client, response.context["figures"], links)


def _check_page(client, query: dict) -> int:
    """Every linked figure of a statistics page: counts and both sides of each rate."""
    response = client.get(reverse("reports:figures:public"), query)
    assert response.status_code == 200
    page = response.context["page"]
    checked = 0
    for column, cell in page.headline:
        if column.of:  # a rate: its two counts
            expected = [(cell.link, cell.part), (cell.whole_link, cell.whole)]
        else:
            # A count of messages, or of what they hold (follow-up questions, supervision
            # orders), or a mean or median over them: the list holds the messages measured.
            expected = [(cell.link, getattr(page.totals, column.measure))]
            if column.attribute == column.measure:
                assert cell.value == expected[0][1]
        for link, count in expected:
            if not count or cell.value is None:
                assert not link or cell.value is not None, column.attribute
                continue
            rows = listed(client, link)
            assert len(rows) == count, (column.attribute, link)
            assert_public(rows)
            checked += 1
    for table in page.tables:  # the first row of each breakdown
        if not table.rows:
            continue
        for column, cell in zip(table.columns, table.rows[0].cells, strict=True):
            if cell.link and column.attribute == column.measure:
                rows = listed(client, cell.link)
                assert len(rows) == cell.value, (table.name, column.attribute)
                assert_public(rows)
                checked += 1
    return checked


def test_statistics_figures_link_to_as_many_public_messages(client, public_ids):
    year = (
        Figure.objects.filter(kind="all", period="y", public=True)
        .order_by("-received")
        .values_list("start", flat=True)
        .first()
    )
    query = {"period": "y", "on": f"{year:%Y}-06-01"}
    assert _check_page(client, query) > 20
    for kind in ("board", "unit"):
        key = (
            Figure.objects.filter(kind=kind, period="y", start=year, public=True)
            .order_by("-received")
            .values_list("key", flat=True)
            .first()
        )
        assert _check_page(client, {**query, "slice": f"{kind}:{key}"}) > 5


def test_all_time_lists_are_for_the_messages_list_only(client, db):
    url = reverse("reports:figures:public")
    assert client.get(url, {"period": "all"}).status_code == 400
    messages = reverse("reports:figures:messages")
    assert client.get(messages, {"period": "all", "measure": "nonsense"}).status_code == 400
    response = client.get(messages, {"period": "all", "measure": "received"})
    assert response.status_code == 200
