"""Routing suggestions: rules from board, domain and place names, then learning from history."""

from __future__ import annotations

import pytest

from liuyan.insight import routing
from liuyan.insight.routing import CandidateUnit, DispatchCount, RegionRef, RoutingCase

PROVINCE, CITY, COUNTY = RegionRef(1, "湖南省"), RegionRef(2, "长沙市"), RegionRef(3, "长沙县")
HOUSING, PROPERTY = 10, 11  # 城乡建设 > 物业管理
OFFICE = CandidateUnit(100, CITY)  # the mayor's board's default unit
CITY_HOUSING = CandidateUnit(101, CITY, frozenset({HOUSING}))
PROVINCE_HOUSING = CandidateUnit(102, PROVINCE, frozenset({HOUSING}))
COUNTY_HOUSING = CandidateUnit(103, COUNTY, frozenset({HOUSING}))
EDUCATION = CandidateUnit(104, CITY, frozenset({20}))
UNITS = (OFFICE, CITY_HOUSING, PROVINCE_HOUSING, COUNTY_HOUSING, EDUCATION)


def case(text="小区物业乱收停车费", *, domains=(PROPERTY, HOUSING), units=UNITS, default=100):
    return RoutingCase(
        board_id=7,
        region_chain=(CITY, PROVINCE),
        domain_chain=domains,
        text=text,
        units=units,
        default_unit_id=default,
    )


def ids(suggestions):
    return [s.unit_id for s in suggestions]


def test_rules_prefer_the_nearest_unit_covering_the_domain_then_the_boards_unit():
    found = routing.suggest_units(case(), limit=5)
    assert ids(found) == [101, 100, 102]
    assert found[0].reasons == ("domain",) and found[1].reasons == ("board",)
    assert found[0].confidence > found[1].confidence > found[2].confidence
    assert sum(s.confidence for s in found) < 1  # room for "a unit no rule knows"


def test_without_a_domain_only_the_board_rule_speaks_and_it_is_not_certain():
    found = routing.suggest_units(case(domains=()))
    assert ids(found) == [100]
    assert found[0].confidence == pytest.approx(2 / 3, abs=0.01)


def test_a_county_named_in_the_text_points_at_the_county_unit():
    found = routing.suggest_units(case("长沙县星沙街道某小区物业乱收停车费"), limit=5)
    county = next(s for s in found if s.unit_id == 103)
    assert county.reasons == ("place",)
    assert routing.suggest_units(case("小区物业乱收停车费"), limit=5)[-1].unit_id != 103


def test_the_short_form_of_a_region_name_counts():
    liuyang = RegionRef(4, "浏阳市")
    assert routing.named_region_ids("浏阳的问题", [liuyang, CITY]) == {4}
    # 长沙 is short for both the city and the county: it names neither.
    assert routing.named_region_ids("长沙星沙镇的问题", [COUNTY, CITY]) == set()
    assert routing.named_region_ids("长沙县星沙镇的问题", [COUNTY, CITY]) == {3}
    assert routing.short_names("长沙县") == {"长沙县", "长沙"}
    assert routing.short_names("东区") == {
        "东区"
    }  # a one-character short form would match anything


def test_history_is_ignored_until_there_is_enough_of_it():
    few = [DispatchCount(7, 2, PROPERTY, 104, routing.MIN_HISTORY - 1)]
    assert routing.suggest_units(case(), few) == routing.suggest_units(case())


def test_enough_history_outweighs_the_rules_with_smoothed_shares():
    history = [
        DispatchCount(7, 2, PROPERTY, 103, 30),  # moderators keep sending these to the county
        DispatchCount(7, 2, PROPERTY, 101, 2),
        DispatchCount(8, 2, PROPERTY, 104, 500),  # another board: a different key
    ]
    found = routing.suggest_units(case(), history, limit=5)
    assert found[0].unit_id == 103 and "history" in found[0].reasons
    expected = 0.7 * (30 + 1) / (32 + len(UNITS))
    assert found[0].confidence == pytest.approx(expected, abs=0.002)


def test_history_backs_off_to_the_region_and_domain_across_boards():
    history = [DispatchCount(8, 2, PROPERTY, 102, 40)]
    found = routing.suggest_units(case(), history)
    assert found[0].unit_id == 102 and found[0].reasons == ("history", "domain")


def test_only_candidate_units_are_suggested():
    history = [DispatchCount(7, 2, PROPERTY, 999, 100)]
    assert 999 not in ids(routing.suggest_units(case(), history, limit=10))
