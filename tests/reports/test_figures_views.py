"""The figure pages: public statistics (also per board and unit), the staff dashboard, the
rankings, the messages behind a figure, and the CSV/XLSX exports."""

from __future__ import annotations

import html
import io

import pytest
from django.urls import reverse

from liuyan.reports.figures.measures import median_from_histogram, wilson_interval
from liuyan.reports.rankings import rank_units

pytestmark = pytest.mark.django_db

YEAR_2026 = {"period": "y", "on": "2026-03-02"}


def _figure(response, attribute):
    for column, cell in response.context["page"].headline:
        if column.attribute == attribute:
            return cell
    raise AssertionError(attribute)


def test_public_statistics_count_public_messages_and_link_to_them(client, world, make):
    replied = make.replied()
    make.dispatched()
    private = make.replied(public=False)
    response = client.get(reverse("reports:figures:public"), YEAR_2026)
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.totals.received, page.totals.replied, page.totals.reply_rate) == (2, 1, 50.0)
    assert "figures-chart-data" in response.text  # the chart's data, no inline script
    assert "<script>" not in response.text
    link = _figure(response, "replied").link
    listed = client.get(link)
    assert listed.status_code == 200
    assert replied.serial in listed.text
    assert private.serial not in listed.text


def test_board_and_unit_pages_show_their_own_figures(client, world, make):
    make.replied()
    make.replied(unit=world.other_unit)
    board = client.get(
        reverse("reports:figures:public"), {**YEAR_2026, "slice": f"board:{world.board.pk}"}
    )
    assert board.context["page"].totals.received == 2
    unit = client.get(
        reverse("reports:figures:public"), {**YEAR_2026, "slice": f"unit:{world.other_unit.pk}"}
    )
    assert unit.context["page"].totals.received == 1
    assert world.other_unit.name in unit.text
    region = client.get(
        reverse("reports:figures:public"), {**YEAR_2026, "slice": f"region:{world.province.pk}"}
    )
    regions = region.context["page"].table("regions")
    assert [row.label for row in regions.rows] == ["湖南省长沙市"]


def test_bad_figure_requests_say_what_is_wrong(client, world):
    url = reverse("reports:figures:public")
    for query in (
        {"period": "x"},
        {"on": "1900-01-01"},
        {"slice": "board:999999"},
        {"slice": "nonsense"},
        {"slice": "unit:1;drop"},
    ):
        response = client.get(url, query)
        assert response.status_code == 400, query
    assert client.get(url, {"export": "pdf", "table": "types"}).status_code == 400


def test_tables_export_to_csv_and_xlsx(client, world, make):
    make.replied()
    url = reverse("reports:figures:public")
    csv = client.get(url, {**YEAR_2026, "table": "types", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[1].split(",")[1:3] == ["1", "1"]
    xlsx = client.get(url, {**YEAR_2026, "table": "types", "export": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:3] == (1, 1)


def test_dashboard_is_for_leaders_and_moderators_within_their_regions(client, world, make):
    make.replied(public=False)  # private: staff figures count it
    url = reverse("reports:figures:dashboard")
    client.force_login(world.leader)
    response = client.get(url, YEAR_2026)
    assert response.status_code == 200
    assert response.context["page"].slice.key == str(world.city.pk)  # the board's region
    assert response.context["page"].totals.received == 1
    # Drill down to the county, not up to the province or sideways.
    assert client.get(url, {**YEAR_2026, "slice": f"region:{world.county.pk}"}).status_code == 200
    assert client.get(url, {**YEAR_2026, "slice": f"region:{world.province.pk}"}).status_code == 403
    assert (
        client.get(url, {**YEAR_2026, "slice": f"region:{world.other_city.pk}"}).status_code == 403
    )
    assert client.get(url, {**YEAR_2026, "slice": "type:complaint"}).status_code == 403
    link = _figure(response, "received").link
    assert "staff=1" in link
    assert client.get(link).status_code == 200

    client.force_login(world.city_moderator)  # covers only the other city
    assert client.get(link).status_code == 403
    assert client.get(url, YEAR_2026).context["page"].totals.received == 0
    client.force_login(world.moderator)  # everywhere
    assert client.get(url, YEAR_2026).context["page"].totals.received == 1
    client.force_login(world.citizen)
    assert client.get(url, YEAR_2026).status_code == 403


def test_rankings_order_by_the_lower_bound_and_need_a_minimum_volume(client, world, make):
    for _ in range(3):
        make.replied()
    make.replied(unit=world.other_unit)
    ranked, too_few = rank_units(start=__import__("datetime").date(2026, 1, 1), min_volume=2)
    assert [row.unit for row in ranked] == [world.bureau]
    assert too_few == 1
    response = client.get(reverse("reports:figures:rankings"), YEAR_2026)
    assert response.status_code == 200
    assert "Wilson" in response.text
    assert response.context["too_few"] == 2  # below the page's minimum of 20 messages


def test_rankings_read_the_same_counters_as_the_full_breakdown(world, make):
    """The rankings sum three counters per unit in SQL; they must equal the full totals."""
    from datetime import date

    from liuyan.reports.figures import selectors as figures
    from liuyan.reports.figures.measures import UNIT
    from liuyan.reports.rankings import RATES

    for _ in range(3):
        make.replied()
    make.replied(unit=world.other_unit)
    make.replied(public=False)
    start = date(2026, 1, 1)
    names = {"fair_dispatched"} | {name for pair in RATES.values() for name in pair}
    for public in (True, False):
        full = figures.breakdown(UNIT, start=start, public=public)
        narrow = figures.counters_by_key(UNIT, names, start=start, public=public)
        assert set(narrow) == set(full) and full
        for key, totals in full.items():
            assert narrow[key] == {name: getattr(totals, name) for name in names}


def test_wilson_lower_bound_prefers_volume_to_a_perfect_small_score():
    small, _ = wilson_interval(10, 10)
    large, _ = wilson_interval(950, 1000)
    assert round(small, 2) == 0.72
    assert large > small
    assert wilson_interval(0, 0) == (0.0, 0.0)


def test_median_from_histogram():
    assert median_from_histogram([0, 2, 1] + [0] * 17) == 1.0
    assert median_from_histogram([0] * 20) is None
    counts = [0] * 20
    counts[16] = 4  # 16-20 working days
    assert 16 <= median_from_histogram(counts) <= 20


def _links(page) -> list[str]:
    """Every link of the page's figures: counts, and both sides of each rate."""
    found = []
    for _column, cell in page.headline:
        found += [cell.link, cell.whole_link]
    for table in page.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [cell.link, cell.whole_link]
    return [link for link in found if link]


def test_rates_link_to_their_counted_and_base_messages_public_ones_only(client, world, make):
    replied = make.replied()
    waiting = make.dispatched()
    private = make.replied(public=False)
    response = client.get(reverse("reports:figures:public"), YEAR_2026)
    rate = _figure(response, "reply_rate")
    assert (rate.value, rate.part, rate.whole) == (50.0, 1, 2)
    assert html.escape(rate.whole_link) in response.text
    counted, base = client.get(rate.link), client.get(rate.whole_link)
    assert replied.serial in counted.text and waiting.serial not in counted.text
    assert replied.serial in base.text and waiting.serial in base.text
    on_time = _figure(response, "reply_on_time_rate")
    assert on_time.whole == 1 and on_time.whole_link
    links = _links(response.context["page"])
    assert len(links) >= 20  # headline and the breakdown tables
    for link in links:
        listed = client.get(link)
        assert listed.status_code == 200, link
        assert private.serial not in listed.text, link

    client.force_login(world.leader)  # staff: the private message is behind the same rate
    dashboard = client.get(reverse("reports:figures:dashboard"), YEAR_2026)
    rate = _figure(dashboard, "reply_rate")
    assert (rate.part, rate.whole) == (2, 3) and "staff=1" in rate.whole_link
    assert private.serial in client.get(rate.whole_link).text


def test_ranking_rates_link_to_the_units_public_messages(client, world, make, monkeypatch):
    from functools import partial

    from liuyan.reports import rankings

    monkeypatch.setattr(rankings, "rank_units", partial(rankings.rank_units, min_volume=1))
    replied = make.replied()
    waiting = make.dispatched()
    private = make.replied(public=False)
    response = client.get(reverse("reports:figures:rankings"), YEAR_2026)
    [row] = [r for r in response.context["table"].rows if r.label == world.bureau.name]
    rate = row.cells[2]
    assert (rate.part, rate.whole) == (1, 2)
    counted, base = client.get(rate.link), client.get(rate.whole_link)
    assert replied.serial in counted.text and waiting.serial not in counted.text
    assert replied.serial in base.text and waiting.serial in base.text
    for cell in row.cells:
        for link in (cell.link, cell.whole_link):
            if link:
                listed = client.get(link)
                assert listed.status_code == 200 and private.serial not in listed.text
