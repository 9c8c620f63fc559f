"""Hot issues (热点问题): messages of a time window clustered by problem and place, ranked by heat.

Clustering: each message becomes a TF-IDF vector over its words (title counted twice, since it
states the problem densely) plus its extracted places as extra tokens. Two messages are linked
when their cosine reaches ``LINK_THRESHOLD``; when both name a specific place (a compound, road,
school, company) they must name the same one, because "物业乱收费" in two different compounds
is two problems. Issues are the connected components of the links.

Heat rewards breadth before volume: distinct authors weigh more than repeated posts by one
person, likes add public support, and an issue that is concentrated in time and recent ranks
above an old one spread thin over the window.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from liuyan.insight.text import normalize, segment

LINK_THRESHOLD = 0.45
_CJK = r"\u4e00-\u9fff"
# Anonymised regions of the data set look like A市, A1区, K3县; real ones like 长沙市 岳麓区.
_REGION = re.compile(rf"(?:[A-Z]\d*|[{_CJK}]{{2,4}}?)(?:市|区|县|镇|乡|街道)")
_SPECIFIC = re.compile(
    rf"[{_CJK}A-Za-z0-9]{{2,6}}?"
    r"(?:小区|花园|家园|华庭|公寓|新村|新城|苑|大厦|广场|公馆|山庄|社区|村|"
    r"大道|路|街|巷|"
    r"小学|中学|大学|学院|学校|幼儿园|"
    r"公司|集团|医院|市场|工业园)"
)
# Words ending like a road or a company that are not places (线路 route, 道路 road in general).
_NOT_PLACES = re.compile(
    r"(?:线路|道路|公路|铁路|马路|思路|出路|门路|农村|乡村|山村|全村|本村|该村|我村)$"
)
# Verbs and particles that a lazy match may drag in front of a place name.
_VERB_PREFIX = re.compile(
    r"^.*?(?:距离|距|在|于|到|至|和|与|及|对|把|将|从|是|有|位于|关于|附近|目前|成功)"
)
_LEADING_NOISE = re.compile(rf"^(?:[A-Z]\d*[市区县]|[{_CJK}]*?(?:市|区|县|在|的|于|位于|关于))+")


@dataclass(frozen=True, slots=True)
class HotMessage:
    id: Hashable
    title: str
    body: str = ""
    time: datetime | None = None
    author: str | None = None
    likes: int = 0


@dataclass
class HotIssue:
    title: str
    place: str
    first: datetime | None
    last: datetime | None
    message_ids: list[Hashable]
    authors: int
    likes: int
    heat: float = 0.0
    rank: int = 0
    places: list[str] = field(default_factory=list)


def region_of(text: str) -> str:
    """The most specific region prefix such as A市A1区 (consecutive region names joined)."""
    match = re.search(r"(?:[A-Z]\d*(?:市|区|县))+", text)
    if match:
        return match.group()
    match = _REGION.search(text)
    return match.group() if match else ""


def specific_places(text: str) -> list[str]:
    """Compounds, roads, schools, companies named in the text, without leading region names."""
    places = []
    for match in _SPECIFIC.finditer(text):
        place = _LEADING_NOISE.sub("", _VERB_PREFIX.sub("", match.group()))
        if len(place) >= 3 and place not in places and not _NOT_PLACES.search(place):
            places.append(place)
    return places


def main_place(title: str, body: str = "") -> str:
    """Region plus the first specific place, title first: e.g. A市A2区景蓉华苑."""
    title, body = normalize(title), normalize(body)
    region = region_of(title) or region_of(body)
    specific = specific_places(title) or specific_places(body[:200])
    if specific:
        return (
            f"{region}{specific[0]}"
            if region and not specific[0].startswith(region)
            else specific[0]
        )
    return region


def _document(message: HotMessage, places: list[str]) -> str:
    title = segment(message.title)
    body = segment(normalize(message.body)[:300])
    place_tokens = " ".join(f"PLACE_{p}" for p in places)
    return f"{title} {title} {body} {place_tokens}"


class _Components:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _compatible_places(a: list[str], b: list[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def cluster(messages: Sequence[HotMessage], threshold: float = LINK_THRESHOLD) -> list[list[int]]:
    """Indices of messages grouped into issues (largest first)."""
    if not messages:
        return []
    places = [
        specific_places(normalize(m.title)) or specific_places(normalize(m.body)[:200])
        for m in messages
    ]
    documents = [_document(m, p) for m, p in zip(messages, places, strict=True)]
    vectorizer = TfidfVectorizer(
        tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(documents)
    components = _Components(len(messages))
    chunk = 2000
    transposed = matrix.T.tocsr()
    for begin in range(0, len(messages), chunk):
        product = (matrix[begin : begin + chunk] @ transposed).tocoo()
        mask = (product.data >= threshold) & (product.row + begin < product.col)
        for row, col in zip(product.row[mask], product.col[mask], strict=True):
            a, b = int(row) + begin, int(col)
            if _compatible_places(places[a], places[b]):
                components.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(messages)):
        groups.setdefault(components.find(i), []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


def heat_index(*, count: int, authors: int, likes: int, span_days: float, age_days: float) -> float:
    """Heat of an issue: breadth, support, concentration in time and recency."""
    breadth = 10 * math.log1p(authors) + 4 * math.log1p(count - authors)
    support = 3 * math.log1p(max(likes, 0))
    concentration = 3 * math.log1p(count / (1 + span_days / 7))
    recency = 5 * math.exp(-max(age_days, 0) / 60)
    return round(breadth + support + concentration + recency, 2)


def _representative(indices: list[int], messages: Sequence[HotMessage]) -> str:
    """The title sharing most words with the other titles of the issue."""
    titles = [normalize(messages[i].title) for i in indices]
    if len(titles) == 1:
        return titles[0]
    words = [set(segment(t).split()) for t in titles]
    common = Counter(w for ws in words for w in ws)
    scores = [sum(common[w] for w in ws) / (1 + len(ws) ** 0.5) for ws in words]
    return titles[int(np.argmax(scores))]


def hot_issues(
    messages: Sequence[HotMessage],
    *,
    top: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    min_messages: int = 2,
) -> list[HotIssue]:
    """The ``top`` hottest issues among messages in [since, until)."""
    window = [
        m
        for m in messages
        if (since is None or (m.time and m.time >= since))
        and (until is None or (m.time and m.time < until))
    ]
    times = [m.time for m in window if m.time]
    reference = now or until or (max(times) if times else None)
    issues = []
    for indices in cluster(window):
        if len(indices) < min_messages:
            continue
        members = [window[i] for i in indices]
        stamps = sorted(m.time for m in members if m.time)
        first, last = (stamps[0], stamps[-1]) if stamps else (None, None)
        span = (last - first).total_seconds() / 86400 if stamps else 0.0
        age = (reference - last).total_seconds() / 86400 if reference and last else 0.0
        authors = len({m.author for m in members if m.author}) or len(members)
        likes = sum(max(m.likes, 0) for m in members)
        place_counts = Counter(main_place(m.title, m.body) for m in members)
        place_counts.pop("", None)
        issues.append(
            HotIssue(
                title=_representative(indices, window),
                place=place_counts.most_common(1)[0][0] if place_counts else "",
                first=first,
                last=last,
                message_ids=[m.id for m in members],
                authors=authors,
                likes=likes,
                heat=heat_index(
                    count=len(members), authors=authors, likes=likes, span_days=span, age_days=age
                ),
                places=[p for p, _ in place_counts.most_common()],
            )
        )
    issues.sort(key=lambda issue: -issue.heat)
    for rank, issue in enumerate(issues[:top], start=1):
        issue.rank = rank
    return issues[:top]
