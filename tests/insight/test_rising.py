"""Rising topics: the Poisson tail and the flagging rule, without a database."""

from __future__ import annotations

import math

import pytest
from scipy.stats import poisson

from liuyan.insight.rising import expected_count, poisson_upper_tail, rising_topics


@pytest.mark.parametrize(
    ("observed", "expected"),
    [(0, 2.0), (1, 0.5), (3, 0.5), (5, 2.0), (12, 3.0), (40, 10.0), (130, 100.0), (2, 5.0)],
)
def test_upper_tail_matches_scipy(observed, expected):
    assert math.isclose(
        poisson_upper_tail(observed, expected),
        poisson.sf(observed - 1, expected),
        rel_tol=1e-9,
        abs_tol=1e-15,
    )


def test_upper_tail_keeps_tiny_probabilities():
    p = poisson_upper_tail(60, 2.0)
    assert 0 < p < 1e-40
    assert math.isclose(p, poisson.sf(59, 2.0), rel_tol=1e-9)


def test_expected_is_the_mean_of_previous_weeks_with_a_floor():
    assert expected_count([4, 6, 5, 5]) == 5
    assert expected_count([0, 0, 0]) == 0.5
    assert expected_count([]) == 0.5


def test_a_large_rise_is_flagged_and_noise_is_not():
    counts = {
        ("housing", "A1"): ([5, 4, 6, 5, 5, 4, 6, 5], 19),  # 19 where 5 were expected
        ("traffic", "A1"): ([5, 4, 6, 5, 5, 4, 6, 5], 8),  # within normal variation
        ("school", "A2"): ([0, 0, 0, 0, 0, 0, 0, 0], 2),  # below the minimum count
    }
    found = rising_topics(counts)
    assert [topic.key for topic in found] == [("housing", "A1")]
    assert found[0].expected == 5 and found[0].observed == 19
    assert found[0].ratio == pytest.approx(3.8)


def test_not_a_fixed_ratio_a_doubling_of_small_counts_is_not_significant():
    # 2 -> 4 doubles but is likely by chance; 100 -> 140 is only +40 % but is not.
    counts = {"small": ([2] * 8, 4), "large": ([100] * 8, 140)}
    assert [topic.key for topic in rising_topics(counts)] == ["large"]


def test_more_keys_tested_means_a_stricter_threshold():
    one = {"k": ([2] * 8, 9)}
    p = poisson_upper_tail(9, 2.0)
    assert rising_topics(one, alpha=0.01)  # p ≈ 2e-4 < 0.01
    many = {**one, **{f"other{i}": ([2] * 8, 1) for i in range(99)}}
    assert p > 0.01 / 100
    assert rising_topics(many, alpha=0.01) == []


def test_a_brand_new_topic_can_rise():
    found = rising_topics({"new": ([], 6), "old": ([3, 3], 3)})
    assert [topic.key for topic in found] == ["new"]
    assert found[0].expected == 0.5


def test_sorted_by_significance():
    counts = {"a": ([5] * 8, 15), "b": ([5] * 8, 25)}
    assert [topic.key for topic in rising_topics(counts)] == ["b", "a"]
