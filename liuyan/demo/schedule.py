"""When the demo's messages were written, and how far each gets in its life.

Submission times follow the hours citizens write at and grow a little towards the present;
a message's target state fits its age (old messages are mostly closed, recent ones still in
progress), and in a world of any size one message of every state is placed at a fixed age.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from math import inf

from liuyan.core.lifecycle import (
    State,
)

S = State
# Asia/Shanghai has kept UTC+8 all year since 1991; a fixed offset is much cheaper than zoneinfo
# for the millions of office-hour checks a load test makes.
CST = timedelta(hours=8)
# Ages (days) at which one message of each state is placed, so that every state is shown even
# in a small world.
SHOWCASE_AGES = {
    S.SUBMITTED: 0.1,
    S.DISPATCHED: 1.2,
    S.ACCEPTED: 6,
    S.REPLIED: 8,
    S.REPLY_REVIEW: 11,
    S.REVIEW: 26,
    S.REOPENED: 38,
    S.REJECTED: 45,
    S.DUPLICATE: 55,
    S.CLOSED: 100,
}
# Hours of the day citizens write at (Shanghai time): evenings are busy, nights quiet.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 6, 7, 8, 8, 8, 7, 7, 8, 9, 8, 5, 2)

# How likely each final state is for a message of a given age: the first row whose bound (in
# days) is above the message's age applies.
TARGETS_BY_AGE: tuple[tuple[float, dict[State, float]], ...] = (
    (1, {S.SUBMITTED: 45, S.DISPATCHED: 28, S.ACCEPTED: 10, S.REJECTED: 11, S.DUPLICATE: 6}),
    (
        5,
        {
            S.SUBMITTED: 3,
            S.DISPATCHED: 22,
            S.ACCEPTED: 48,
            S.REPLY_REVIEW: 6,
            S.REPLIED: 6,
            S.REJECTED: 10,
            S.DUPLICATE: 5,
        },
    ),
    (
        15,
        {
            S.DISPATCHED: 4,
            S.ACCEPTED: 40,
            S.REPLY_REVIEW: 10,
            S.REPLIED: 24,
            S.REVIEW: 2,
            S.CLOSED: 6,
            S.REJECTED: 9,
            S.DUPLICATE: 5,
        },
    ),
    (
        30,
        {
            S.DISPATCHED: 1,
            S.ACCEPTED: 18,
            S.REPLY_REVIEW: 5,
            S.REPLIED: 28,
            S.REVIEW: 6,
            S.REOPENED: 4,
            S.CLOSED: 25,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
    (
        60,
        {
            S.ACCEPTED: 5,
            S.REPLY_REVIEW: 1,
            S.REPLIED: 4,
            S.REVIEW: 3,
            S.REOPENED: 2,
            S.CLOSED: 72,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
    (
        inf,
        {
            S.ACCEPTED: 1,
            S.REVIEW: 0.4,
            S.REOPENED: 0.3,
            S.CLOSED: 85,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
)
_TARGET_BOUNDS = [bound for bound, _ in TARGETS_BY_AGE]
# The same rows as states and cumulative weights: choices() would add them up on every call.
_TARGET_TABLES = [(tuple(w), tuple(accumulate(w.values()))) for _, w in TARGETS_BY_AGE]


def target_weights(age_days: float) -> dict[State, float]:
    """How likely each final state is for a message written `age_days` ago."""
    return TARGETS_BY_AGE[bisect_right(_TARGET_BOUNDS, age_days)][1]


def pick_target(rng: random.Random, age_days: float) -> State:
    """A target state for a message written `age_days` ago, drawn by `target_weights`."""
    states, cum_weights = _TARGET_TABLES[bisect_right(_TARGET_BOUNDS, age_days)]
    return rng.choices(states, cum_weights=cum_weights)[0]


# --- when messages were written -------------------------------------------------------------


def submission_plan(
    count: int, *, now: datetime, months: int, rng: random.Random, showcase: bool = True
) -> Iterator[tuple[datetime, State | None]]:
    """Submission times, oldest first, with a forced target for the showcase messages.

    Day by day, so that a load test of millions never holds all of them in memory.
    """
    start = now - timedelta(days=months * 30.44)
    last = now - timedelta(minutes=10)
    forced = _showcase(now, start, count) if showcase else []
    days = _days(start, last)
    weights = [0.7 + 0.6 * i / max(1, len(days) - 1) for i in range(len(days))]
    per_day = Counter(rng.choices(range(len(days)), weights, k=count - len(forced)))
    forced_by_day: dict[date, list[tuple[datetime, State]]] = {}
    for moment, state in forced:
        forced_by_day.setdefault((moment + CST).date(), []).append((moment, state))
    for index, day in enumerate(days):
        moments: list[tuple[datetime, State | None]] = [
            (_moment_on(day, start, last, rng), None) for _ in range(per_day.get(index, 0))
        ]
        moments.extend(forced_by_day.get(day, ()))
        moments.sort(key=lambda item: item[0])
        yield from moments


def _showcase(now: datetime, start: datetime, count: int) -> list[tuple[datetime, State]]:
    if count < len(SHOWCASE_AGES):
        return []
    chosen = [(now - timedelta(days=age), state) for state, age in SHOWCASE_AGES.items()]
    return [(moment, state) for moment, state in chosen if moment > start]


def _days(start: datetime, last: datetime) -> list[date]:
    first, final = (start + CST).date(), (last + CST).date()
    return [first + timedelta(days=n) for n in range((final - first).days + 1)]


def _moment_on(day: date, start: datetime, last: datetime, rng: random.Random) -> datetime:
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    local = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)))
    moment = (local - CST).replace(tzinfo=UTC)
    if start <= moment <= last:
        return moment
    low = max(start, (datetime.combine(day, time()) - CST).replace(tzinfo=UTC))
    high = min(last, (datetime.combine(day, time(23, 59, 59)) - CST).replace(tzinfo=UTC))
    if high <= low:
        return low
    return low + timedelta(seconds=int((high - low).total_seconds() * rng.random()))  # whole
