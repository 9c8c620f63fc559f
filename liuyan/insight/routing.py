"""Routing (交办建议): which unit should lead on a message, with a confidence.

Plain data in, plain data out: the platform passes the message's board, region chain, domain
chain, text and the candidate units, plus counts of past dispatches; nothing here reads a
database. A moderator always chooses; this only orders the list and says how sure it is.

Rules (always available):

* the board's default unit (a leader's board usually has one office that takes its messages);
* units whose domains cover the message's domain (or a broader one above it), in the message's
  region or a region above it, the nearer region and the more specific domain weighing more
  (a unit for the exact domain in the message's own region outweighs the board's office);
* region names written in the text (长沙县, or its short form 长沙) pointing at units of that
  region: citizens writing to a city board often name their county.

Rule scores become shares after adding ``OTHER_MASS`` for "some unit no rule knows", so a lone
rule says about two in three, not certainty.

Learning (once there is enough history): counts of lead assignments that the unit accepted and
did not return, keyed by (board, region, domain). The most specific key with at least
``MIN_HISTORY`` dispatches is used (backing off to (region, domain), (board, domain), then
(board, region)); its Laplace-smoothed shares over the candidate units are mixed with the rule
shares, history weighing ``HISTORY_WEIGHT``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from liuyan.insight.text import normalize

BOARD_WEIGHT = 2.0
DOMAIN_WEIGHT = 3.0
PLACE_WEIGHT = 1.5
# A unit one region up, or covering only the broader domain, weighs this much less: the city's
# bureau for the exact domain beats the board's general office; the province's does not.
REGION_DECAY = 0.5
DOMAIN_DECAY = 0.7
OTHER_MASS = 1.0
MIN_HISTORY = 20
LAPLACE = 1.0
HISTORY_WEIGHT = 0.7
_REGION_SUFFIX = re.compile(r"(?:省|自治区|市|自治州|地区|盟|县|区|旗|镇|乡|街道)$")


@dataclass(frozen=True, slots=True)
class RegionRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CandidateUnit:
    id: int
    region: RegionRef
    domain_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class RoutingCase:
    board_id: int
    region_chain: Sequence[RegionRef]  # the message's region first, then the ones above it
    domain_chain: Sequence[int]  # the message's domain first, then broader ones; may be empty
    text: str
    units: Sequence[CandidateUnit]  # the only units that may be suggested
    default_unit_id: int | None = None


@dataclass(frozen=True, slots=True)
class DispatchCount:
    """How often `unit_id` led on (and kept) messages of this board, region and domain."""

    board_id: int
    region_id: int
    domain_id: int | None
    unit_id: int
    count: int


@dataclass(frozen=True, slots=True)
class RoutingSuggestion:
    unit_id: int
    confidence: float
    reasons: tuple[str, ...]  # "board", "domain", "place", "history"


def short_names(name: str) -> set[str]:
    """A region's name and its short form without the administrative suffix (长沙县 → 长沙)."""
    names = {name}
    short = _REGION_SUFFIX.sub("", name)
    if len(short) >= 2:
        names.add(short)
    return names


def named_region_ids(text: str, regions: Iterable[RegionRef]) -> set[int]:
    """Regions named in the text. A short form shared by several regions (长沙 for 长沙市 and
    长沙县) is ambiguous and names neither; the full names still count."""
    text = normalize(text)
    regions = list(set(regions))
    owners: dict[str, set[int]] = defaultdict(set)
    for region in regions:
        for name in short_names(normalize(region.name)):
            owners[name].add(region.id)
    return {
        region_id
        for name, region_ids in owners.items()
        if len(region_ids) == 1 and name in text
        for region_id in region_ids
    }


def rule_scores(case: RoutingCase) -> dict[int, tuple[float, set[str]]]:
    scores: dict[int, float] = defaultdict(float)
    reasons: dict[int, set[str]] = defaultdict(set)
    candidate_ids = {u.id for u in case.units}
    if case.default_unit_id in candidate_ids:
        scores[case.default_unit_id] += BOARD_WEIGHT
        reasons[case.default_unit_id].add("board")
    region_distance = {r.id: i for i, r in enumerate(case.region_chain)}
    for unit in case.units:
        if unit.region.id not in region_distance:
            continue
        for domain_distance, domain_id in enumerate(case.domain_chain):
            if domain_id in unit.domain_ids:
                closeness = REGION_DECAY ** region_distance[unit.region.id]
                closeness *= DOMAIN_DECAY**domain_distance
                scores[unit.id] += DOMAIN_WEIGHT * closeness
                reasons[unit.id].add("domain")
                break
    named = named_region_ids(case.text, {u.region for u in case.units})
    # The message's own region is named in most texts ("长沙市…"); it says nothing new.
    named -= {case.region_chain[0].id} if case.region_chain else set()
    for unit in case.units:
        if unit.region.id in named:
            scores[unit.id] += PLACE_WEIGHT
            reasons[unit.id].add("place")
    return {unit_id: (score, reasons[unit_id]) for unit_id, score in scores.items()}


def _history_keys(case: RoutingCase) -> Iterator[Callable[[DispatchCount], bool]]:
    region = case.region_chain[0].id if case.region_chain else None
    domain = case.domain_chain[0] if case.domain_chain else None
    yield lambda c: c.board_id == case.board_id and c.region_id == region and c.domain_id == domain
    if domain is not None:
        yield lambda c: c.region_id == region and c.domain_id == domain
        yield lambda c: c.board_id == case.board_id and c.domain_id == domain
    yield lambda c: c.board_id == case.board_id and c.region_id == region


def learned_shares(case: RoutingCase, history: Sequence[DispatchCount]) -> dict[int, float]:
    """Laplace-smoothed shares of past lead units for the most specific key with enough
    dispatches, over the candidate units; empty when no key has MIN_HISTORY of them."""
    candidate_ids = [u.id for u in case.units]
    candidates = set(candidate_ids)
    for matches in _history_keys(case):
        counts: dict[int, int] = defaultdict(int)
        for row in history:
            if matches(row) and row.unit_id in candidates:
                counts[row.unit_id] += row.count
        total = sum(counts.values())
        if total >= MIN_HISTORY:
            denominator = total + LAPLACE * len(candidate_ids)
            return {u: (counts[u] + LAPLACE) / denominator for u in candidate_ids}
    return {}


def suggest_units(
    case: RoutingCase, history: Sequence[DispatchCount] = (), *, limit: int = 3
) -> list[RoutingSuggestion]:
    """The most likely lead units, best first, each with a confidence in [0, 1]."""
    rules = rule_scores(case)
    rule_total = sum(score for score, _ in rules.values()) + OTHER_MASS
    learned = learned_shares(case, history)
    suggestions = []
    for unit in case.units:
        score, reasons = rules.get(unit.id, (0.0, set()))
        confidence = score / rule_total
        if learned:
            confidence = HISTORY_WEIGHT * learned[unit.id] + (1 - HISTORY_WEIGHT) * confidence
            # A unit history merely smooths towards is not a reason; one it chose before is.
            if learned[unit.id] > 2 * min(learned.values()):
                reasons = reasons | {"history"}
        if reasons:
            suggestions.append(RoutingSuggestion(unit.id, round(confidence, 3), _ordered(reasons)))
    suggestions.sort(key=lambda s: -s.confidence)
    return suggestions[:limit]


_REASON_ORDER = ("history", "board", "domain", "place")


def _ordered(reasons: set[str]) -> tuple[str, ...]:
    return tuple(r for r in _REASON_ORDER if r in reasons)
