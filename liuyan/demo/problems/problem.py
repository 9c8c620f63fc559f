"""One problem people write about, with what a unit finds and does about it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    issue: str  # short, for titles: 电梯频繁故障
    place: str  # estate, road, school, market, company, village, hospital, office, scenic
    type: str  # Message.Type value
    topic: str  # third-level domain name, matched against the Domain table
    detail: str  # what is wrong, in the writer's words
    ask: str  # what the writer wants done
    finding: str  # what the unit found when it looked
    action: str  # what the unit did about it


def problem(issue, place, type, topic, detail, ask, finding, action) -> Problem:
    """A Problem from positional fields: the data modules list hundreds of them."""
    return Problem(issue, place, type, topic, detail, ask, finding, action)
