"""Rankings of units that resist gaming (排名).

- **Minimum volume**: a unit enters the ranking only with at least `min_volume` messages
  dispatched to it in the period; three quick replies do not beat a thousand.
- **Intervals, not ratios**: each rate is a Wilson score interval (95%); units are ordered by
  its lower bound, the rate we are confident the unit reaches. A small unit with 10/10 has a
  lower bound of 72%, a large one with 950/1000 of 94%.
- **What is left out**: messages written by the unit's own staff (a unit cannot pad its figures
  by writing to itself), messages rejected or marked duplicate at screening (they never reach
  a unit). The platform has no withdrawal; were one added, its messages would be left out the
  same way, through the `fair_*` counters of `reports.figures.measures`.

Reads one roll-up row per unit for the period, never the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from liuyan.directory.models import Unit

from .figures import selectors as figures
from .figures.measures import UNIT, YEAR, wilson_interval

MIN_VOLUME = 20

# What a ranking can be by: (numerator, denominator) of the `fair_*` counters.
RATES = {
    "reply": ("fair_replied", "fair_dispatched"),
    "on_time": ("fair_on_time", "fair_replied"),
    "satisfaction": ("fair_satisfied", "fair_rated"),
}


@dataclass(frozen=True)
class Ranked:
    rank: int
    unit: Unit
    successes: int
    trials: int
    low: float
    high: float
    volume: int

    @property
    def rate(self) -> float:
        return round(100 * self.successes / self.trials, 1) if self.trials else 0.0

    @property
    def low_percent(self) -> float:
        return round(100 * self.low, 1)

    @property
    def high_percent(self) -> float:
        return round(100 * self.high, 1)


def rank_units(
    *,
    by: str = "reply",
    period: str = YEAR,
    start: date,
    public: bool = True,
    min_volume: int = MIN_VOLUME,
    unit_ids: set[int] | None = None,
    limit: int = 100,
) -> tuple[list[Ranked], int]:
    """Units ordered by the lower bound of their rate's interval, with the number of units left
    out for too few messages."""
    numerator, denominator = RATES[by]
    keys = [str(pk) for pk in unit_ids] if unit_ids is not None else None
    rows = figures.counters_by_key(
        UNIT,
        {"fair_dispatched", numerator, denominator},
        period=period,
        start=start,
        public=public,
        keys=keys,
    )
    scored, too_few = [], 0
    for key, counts in rows.items():
        volume = counts["fair_dispatched"]
        trials = counts[denominator]
        if volume < min_volume or trials == 0:
            too_few += volume > 0
            continue
        successes = counts[numerator]
        low, high = wilson_interval(successes, trials)
        scored.append((low, high, successes, trials, volume, int(key)))
    scored.sort(key=lambda row: (-row[0], -row[4], row[5]))
    scored = scored[:limit]
    units = Unit.objects.in_bulk([row[5] for row in scored])
    ranked = [
        Ranked(
            rank=index + 1,
            unit=units[pk],
            successes=successes,
            trials=trials,
            low=low,
            high=high,
            volume=volume,
        )
        for index, (low, high, successes, trials, volume, pk) in enumerate(scored)
        if pk in units
    ]
    return ranked, too_few
