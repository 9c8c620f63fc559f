"""Rising topics: which (domain, region) pairs got significantly more messages this week than
their previous weeks lead us to expect.

Plain Python, no Django. The caller counts messages per key and week; this module decides.

The test: the number of messages of one key in one week is taken as Poisson distributed around
the mean of that key's previous weeks (the expected count). A week's count is flagged when the
probability of seeing at least that many by chance, P(X >= observed | expected), is below
`alpha` divided by the number of keys tested (Bonferroni), and the count reaches `min_count`:
with hundreds of regions times fifteen domains, a fixed threshold would flag dozens of keys
every week by chance alone, and a fixed ratio ("twice as many as usual") flags 2 after 1 while
missing 130 after 100. A key with no earlier messages is given a floor of `floor` messages a
week, so that a brand-new topic can rise without dividing by zero.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

ALPHA = 0.01
MIN_COUNT = 3
FLOOR = 0.5  # messages a week assumed for a key never seen before


@dataclass(frozen=True)
class RisingTopic:
    key: Hashable
    observed: int
    expected: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else math.inf


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X >= observed) for X ~ Poisson(expected), summed in log space from `observed` upwards.

    Summing the upper tail directly keeps tiny probabilities accurate (1 - CDF would round them
    to 0); the terms shrink once i passes `expected`, and we stop when they no longer count.
    """
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    log_lambda = math.log(expected)
    total, i = 0.0, observed
    log_term = -expected + i * log_lambda - math.lgamma(i + 1)
    # Below the mean the terms first grow; the lower sum is then the smaller, safer one.
    if observed <= expected:
        lower = sum(
            math.exp(-expected + k * log_lambda - math.lgamma(k + 1)) for k in range(observed)
        )
        return max(0.0, min(1.0, 1.0 - lower))
    while True:
        term = math.exp(log_term)
        total += term
        if term < total * 1e-17 or term == 0.0:
            break
        i += 1
        log_term += log_lambda - math.log(i)
    return min(1.0, total)


def expected_count(previous: Sequence[int], floor: float = FLOOR) -> float:
    """The mean of the previous weeks, at least `floor`."""
    if not previous:
        return floor
    return max(sum(previous) / len(previous), floor)


def rising_topics(
    counts: Mapping[Hashable, tuple[Sequence[int], int]],
    *,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
    floor: float = FLOOR,
) -> list[RisingTopic]:
    """`counts` maps each key to (its counts in the previous weeks, its count this week).
    Returns the significant rises, the most significant first (then the larger count)."""
    tested = [key for key, (_, now) in counts.items() if now > 0]
    if not tested:
        return []
    threshold = alpha / len(tested)
    found = []
    for key in tested:
        previous, observed = counts[key]
        if observed < min_count:
            continue
        expected = expected_count(previous, floor)
        if observed <= expected:
            continue
        p_value = poisson_upper_tail(observed, expected)
        if p_value < threshold:
            found.append(RisingTopic(key, observed, expected, p_value))
    found.sort(key=lambda topic: (topic.p_value, -topic.observed))
    return found
