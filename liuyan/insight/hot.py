"""Hot issues (热点问题): messages of a time window clustered by problem and place, ranked by heat.

Clustering runs in three passes, because a place and a problem are matched in different ways:

1. Place. Every message gets the most specific place it names (title first, then the start of
   the body), reduced to a key: "A2区丽发新城", "丽发新城小区" and "暮云街道丽发新城社区" all key
   丽发新城 (see :mod:`liuyan.insight.places`). Messages are grouped by key. A title in which
   the rules find no place is searched for the names the window knows: a name written with a
   place word by two messages, one in its title (南山十里天池小区), is that place where another
   writer puts it alone ("投诉A市南山十里天池开发商"); such a learned place is weaker evidence,
   held to the bar of a place read from a body.
2. Problem within a place. Inside one group the messages are clustered by average-linkage over
   the cosine of their problem vectors, with a low threshold: same place plus a related problem
   is one issue even when the wording differs (搅拌站/搅拌厂, 噪音/噪声), while unrelated
   problems of one compound (物业费 vs 学校) stay apart. Average linkage rather than connected
   components so that one message touching two problems cannot chain them together. Messages
   that name no specific place are clustered among themselves with a high threshold: without a
   place only near-identical wording (a campaign, a city-wide policy) makes one issue.
   The groups are per place key and area (the region path without its last level), and a
   large one is clustered through sparse neighbours, so the memory and time follow the areas'
   sizes, not the window's (issue #13; see :func:`_bounded_linkage`).
3. Across places. Issues whose keys are one entity written two ways (海外滩 / 绿地海外滩, a road
   and a compound on it that the other messages also name) are merged when their problems are
   similar; a message without a place joins a place's issue only when nearly identical. A merge
   never puts two different compounds (or schools, companies …) into one issue. Two roads
   ending in one road's name (星沙凉塘路, 四区凉塘路) are that road; a name one character
   apart (中茂城 / 中贸城) or written without its place word (丽发小区 / 丽发新城) may be one
   place, which needs a closer problem, and once merged the two are one name.

Messages of different areas are never one issue, in any pass. The area comes from the text (the
anonymised A市A2区 of the shared data) and, on the platform, from where the message was filed
(``HotMessage.region_path``): real region names in a text are not compared, so without the path
"村道还是泥巴路" in two prefectures would be one issue.

The problem vector is TF-IDF over the words and the character bigrams of the title (twice, it
states the problem densely) and the start of the body, with place and region names removed so
that two problems in one compound do not look alike just because both name it. Bigrams catch
what the segmenter splits differently: 搅拌站 / 搅拌 厂 share 搅拌.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
from scipy.sparse import csr_matrix

from liuyan.insight.heat import heat_index
from liuyan.insight.places import (
    LINE,
    Place,
    bare_name,
    is_road,
    known_names_in,
    main_place,
    most_specific,
    name_stem,
    name_variants,
    places_in,
    region_of,
    regions_conflict,
    same_place,
    specific_places,
    stem_variant,
    whole_in,
)
from liuyan.insight.text import STOP_WORDS, normalize, segmenter, tokens

# scikit-learn and scipy.cluster are imported inside the functions that cluster: together they
# take over a second to import, and the web pages that only show stored hot issues import this
# module (a web process must answer its first page within 2 s of starting; bench/first_request.py).

__all__ = [
    "HotIssue",
    "HotMessage",
    "cluster",
    "heat_index",
    "hot_issues",
    "main_place",
    "region_of",
    "specific_places",
]

# Cosine similarity of problem vectors needed to join messages. Within a place and without one
# it is the average over all pairs of two clusters (average linkage): low when the place is the
# same, high when neither names one. Across clusters it is the cosine of their centroids, which
# runs higher than a pairwise average: the merge of two clusters of one place or of two
# spellings of one place, and, strictest, a placeless cluster joining a place's issue.
# Tuned on messages_hot.csv by reading the clusters either side of each value.
SAME_PLACE_THRESHOLD = 0.12
NO_PLACE_THRESHOLD = 0.35
CROSS_PLACE_THRESHOLD = 0.15
JOIN_PLACE_THRESHOLD = 0.45
# Two issues whose places are one name written two ways (中茂城 / 中贸城: see
# places.name_variants) merge across places only when their centroids are as alike as
# messages that name no place must be: a name one character apart is no proof of one place.
VARIANT_THRESHOLD = NO_PLACE_THRESHOLD
# Lowers the similarity of a message whose place comes from the body only, on each side, so two
# such messages need about NO_PLACE_THRESHOLD to join: the body place alone proves little.
WEAK_PLACE_PENALTY = 0.1
# Pass 4, names: a title 3-gram held by at most NAME_MAX_ISSUES issues is a name; two issues
# sharing names (each weighs 1/holders, summed, capped) link when problem similarity plus
# NAME_WEIGHT times that reaches NAME_THRESHOLD, and their times are within LINK_DAYS.
NAME_GRAM = 3
NAME_MIN_RUN = 3  # characters of unknown words in a row: 余易贷 is a name, 跑路 a verb
NAME_MAX_ISSUES = 12
NAME_MIN_SHARED = 1
NAME_CAP = 3
NAME_WEIGHT = 0.3
NAME_PROBLEM_FLOOR = 0.05
NAME_THRESHOLD = 0.3
LINK_DAYS = 60
# A bare name (南山十里天池) is looked for in titles that name no place for it once this many
# messages of the window write it with a place word, one of them in its title.
KNOWN_MIN_MESSAGES = 2
# Bounds of the clustering's memory and time (issue #13): a block of at most DENSE_MAX messages
# is clustered with dense matrices (DENSE_MAX² similarities, 18 MB at 1,500); a larger one
# through the sparse graph of its pairs with a cosine of at least NEIGHBOUR_FLOOR times the
# threshold, found PAIR_BUDGET products at a time without the features more than COMMON_SHARE
# (and COMMON_MIN) of the window's messages hold.
DENSE_MAX = 1500
NEIGHBOUR_FLOOR = 0.5
PAIR_BUDGET = 2_000_000
COMMON_SHARE = 0.05
COMMON_MIN = 50
SCORE_SLICE = 20_000  # pairs re-scored at once (each gathers two rows of ~150 features)
KEY_WORD_CHARS = 2  # title words of at least this many characters are key terms too
BODY_CHARS = 300
TITLE_WEIGHT = 2  # the title states the problem densely; the body wanders
_REGION_TEXT = re.compile(r"(?:[A-Z]\d*(?:省|市|区|县))+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NAME_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_ALNUM = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class HotMessage:
    id: Hashable
    title: str
    body: str = ""
    time: datetime | None = None
    author: str | None = None
    likes: int = 0
    # The region the message was filed under and every region above it, from the top (ids of
    # any kind). Two messages whose paths part are about different areas; a shorter path is
    # compatible with a longer one that starts with it (a province-wide board and a county).
    region_path: tuple[Hashable, ...] = ()
    dislikes: int = 0  # 反对数: people who disagree still say the problem concerns them


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
    dislikes: int = 0
    rank: int = 0
    places: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Located:
    """Where a message is: its main place (or None) and every place key it names."""

    place: Place | None
    from_title: bool
    keys: frozenset[str]
    names: tuple[str, ...]
    inside: tuple[
        tuple[str, str], ...
    ]  # (place, place it is written inside of): 伊景园滨河苑 in 伊景园
    title: str = ""
    title_places: tuple[Place, ...] = ()
    body_places: tuple[Place, ...] = ()
    learned: bool = False  # the main place is a name the window knows, not one the rules found

    @property
    def strong(self) -> bool:
        """Whether the main place is evidence enough for the low bar of one place."""
        return self.from_title and not self.learned


@dataclass(frozen=True, slots=True)
class _Text:
    """A message's title and the start of its body, normalised once."""

    title: str
    body: str

    @classmethod
    def of(cls, message: HotMessage) -> _Text:
        return cls(normalize(message.title), normalize(message.body)[:BODY_CHARS])

    @property
    def region(self) -> str:
        return region_of(self.title) or region_of(self.body)


def _locate(text: _Text) -> _Located:
    return _located(
        text.title, places_in(text.title, normalized=True), places_in(text.body, normalized=True)
    )


def _located(title: str, title_places: list[Place], body_places: list[Place]) -> _Located:
    # The title states what the message is about; the body's first places stand in when the
    # title names none (later ones are usually landmarks: "离XX路不到100米").
    place = most_specific(title_places) or most_specific(body_places[:3])
    from_title = bool(title_places)
    everything = [*title_places, *body_places]
    keys = {p.key for p in everything} | {p.within for p in everything if p.within}
    return _Located(
        place,
        from_title,
        frozenset(keys),
        tuple(p.name for p in everything),
        tuple((p.key, p.within) for p in everything if p.within),
        title,
        tuple(title_places),
        tuple(body_places),
    )


def _known_names(located: list[_Located]) -> dict[str, str]:
    """The bare names (:func:`places.bare_name`) the window knows as places: written with a
    place word in at least ``KNOWN_MIN_MESSAGES`` messages, in the title of one of them. Twice
    and once in a title, because a sentence cut wrong makes a one-off "place" (严重影响小区)
    that must not be looked for in other titles."""
    seen: dict[str, set[int]] = {}
    titled: set[str] = set()
    kinds: dict[str, str] = {}
    for index, loc in enumerate(located):
        for in_title, found in ((True, loc.title_places), (False, loc.body_places)):
            for place in found:
                if bare_name(place):
                    seen.setdefault(place.key, set()).add(index)
                    kinds.setdefault(place.key, place.kind)
                    if in_title:
                        titled.add(place.key)
    return {
        key: kinds[key]
        for key, holders in seen.items()
        if key in titled and len(holders) >= KNOWN_MIN_MESSAGES
    }


def _with_known_names(located: list[_Located], known: dict[str, str]) -> list[_Located]:
    """Messages whose titles the rules find no place in, located again with the names the
    window knows (:func:`_known_names`): a writer names 南山十里天池 alone where others write
    南山十里天池小区, and the title is then about that estate, not about a landmark of its body.
    Such a place is weaker evidence than one the rules find (it is ``learned``: passes 2 and 3
    hold it to the bar of a place read from a body), and pass 4 sees the message as before."""
    if not known:
        return located
    longest = max(map(len, known))
    result = []
    for loc in located:
        extra = [] if loc.title_places else known_names_in(loc.title, known, longest)
        if extra:
            # The names stay in the problem's words: they were not blanked before, and pass 4
            # compares issues by those words.
            loc = replace(
                _located(loc.title, extra, list(loc.body_places)), names=loc.names, learned=True
            )
        result.append(loc)
    return result


def _problem_tokens(text: _Text, located: _Located) -> list[str]:
    """Words and character bigrams of the problem: title (``TITLE_WEIGHT`` times) and the start
    of the body, with place and region names blanked out."""
    title, body = text.title, text.body
    for name in sorted(located.names, key=len, reverse=True):
        title, body = title.replace(name, " "), body.replace(name, " ")
    title, body = _REGION_TEXT.sub(" ", title), _REGION_TEXT.sub(" ", body)
    words = tokens(title, normalized=True) * TITLE_WEIGHT + tokens(body, normalized=True)
    for part in (*[title] * TITLE_WEIGHT, body):
        for run in _CJK_RUN.findall(part):
            words.extend(f"#{run[i : i + 2]}" for i in range(len(run) - 1))
    return words


class _Conflicts:
    """Whether two of the window's text regions conflict, worked out for the pairs asked about
    only: a window names thousands of regions, and a table of every pair is millions of
    comparisons (issue #13)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.known: dict[tuple[int, int], bool] = {}

    def pair(self, a: int, b: int) -> bool:
        key = (a, b) if a <= b else (b, a)
        if key not in self.known:
            self.known[key] = regions_conflict(self.names[a], self.names[b])
        return self.known[key]

    def table(self, ids: np.ndarray) -> np.ndarray:
        return np.array([[self.pair(int(a), int(b)) for b in ids] for a in ids], dtype=bool)


class _Apart:
    """Which messages of a block must not be one issue: their regions conflict (碧桂园 in A5区
    and in A7县) or their region paths part."""

    def __init__(self, region_ids: np.ndarray, conflicts: _Conflicts, levels: np.ndarray):
        self.region_ids, self.conflicts, self.levels = region_ids, conflicts, levels

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        distinct, ids = np.unique(self.region_ids[rows], return_inverse=True)
        table = self.conflicts.table(distinct)
        return table[ids[:, None], ids[None, :]] | _paths_apart(self.levels[rows])

    def where(self, rows: list[int]) -> tuple[set[int], list[set[int]]]:
        """The regions a set of rows names and, per level of the paths, the codes there."""
        levels = self.levels[rows]
        return (
            {int(i) for i in self.region_ids[rows]},
            [{int(c) for c in column if c >= 0} for column in levels.T],
        )

    def parted(
        self, a: tuple[set[int], list[set[int]]], b: tuple[set[int], list[set[int]]]
    ) -> bool:
        if any(self.conflicts.pair(x, y) for x in a[0] for y in b[0]):
            return True
        return _groups_apart(a[1], b[1])


def _average_linkage(
    vectors: csr_matrix, threshold: float, apart: np.ndarray, weak: np.ndarray
) -> list[list[int]]:
    """Rows grouped so that the mean cosine between any two merged groups reaches threshold.
    ``apart`` marks pairs that must not be one issue (their similarity counts as -1); ``weak``
    marks rows whose place is weaker evidence, whose similarities are lowered. Dense: for at
    most ``DENSE_MAX`` rows (see :func:`_bounded_linkage` for more)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    count = vectors.shape[0]
    if count == 1:
        return [[0]]
    similarity = (vectors @ vectors.T).toarray()
    similarity[weak, :] -= WEAK_PLACE_PENALTY
    similarity[:, weak] -= WEAK_PLACE_PENALTY
    similarity[apart] = -1.0
    distance = np.clip(1.0 - similarity[np.triu_indices(count, k=1)], 0.0, 2.0)
    labels = fcluster(linkage(distance, method="average"), t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(int(label), []).append(row)
    return list(groups.values())


def _bounded_linkage(
    vectors: csr_matrix,
    threshold: float,
    apart: _Apart,
    weak: np.ndarray,
    searchable: np.ndarray,
) -> list[list[int]]:
    """:func:`_average_linkage` in memory and time bounded by the block's neighbours, not by
    the square of its size (issue #13: a 30-day window of 500,000 messages in under 1 GB).

    Two groups merge only when their mean similarity reaches the threshold, so some pair of
    their rows reaches it: average-linkage groups never cross the connected components of the
    graph of pairs at or above the threshold, and clustering each component alone gives the
    same groups. Small blocks and components are clustered densely, exactly as before. For a
    larger block the pairs are found by sparse products in slices, through the ``searchable``
    features (those of at most ``COMMON_SHARE`` of the window: not the boilerplate 您好, 希望 …,
    whose weight is small, but every word of a problem, however many write about it) and every
    pair found is re-scored on all features. A component still
    larger than ``DENSE_MAX`` (a chain of problems) is clustered by average linkage over its
    graph alone (:func:`_sparse_linkage`): a pair of groups with no pair above the floor counts
    as unrelated, which can only merge less."""
    count = vectors.shape[0]
    if count <= DENSE_MAX:
        return _average_linkage(vectors, threshold, apart.matrix(np.arange(count)), weak)
    rows, cols, scores = _neighbour_pairs(vectors, threshold * NEIGHBOUR_FLOOR, searchable)
    adjusted = scores - WEAK_PLACE_PENALTY * (weak[rows].astype(float) + weak[cols])
    from scipy.sparse.csgraph import connected_components

    linked = adjusted >= threshold
    graph = csr_matrix(
        (np.ones(int(linked.sum())), (rows[linked], cols[linked])), shape=(count, count)
    )
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups: list[list[int]] = []
    large: list[np.ndarray] = []
    for members in np.split(order, bounds):
        if len(members) == 1:
            groups.append([int(members[0])])
        elif len(members) <= DENSE_MAX:
            for part in _average_linkage(
                vectors[members], threshold, apart.matrix(members), weak[members]
            ):
                groups.append([int(members[r]) for r in part])
        else:
            large.append(members)
    if large:
        inside = np.zeros(count, dtype=bool)
        inside[np.concatenate(large)] = True
        keep = inside[rows] & inside[cols]
        groups += _sparse_linkage(rows[keep], cols[keep], adjusted[keep], threshold, large, apart)
    return groups


def _neighbour_pairs(
    vectors: csr_matrix, floor: float, searchable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of rows (row < col) whose cosine reaches ``floor``, found through the
    ``searchable`` features only and scored on all of them; in slices of about
    ``PAIR_BUDGET`` products."""
    count = vectors.shape[0]
    from scipy.sparse import diags

    searched = (vectors @ diags(searchable.astype(float))).tocsr()
    searched.eliminate_zeros()
    transposed = searched.T.tocsr()
    step = max(1, PAIR_BUDGET // count)
    found_rows, found_cols = [], []
    for begin in range(0, count, step):
        block = (searched[begin : begin + step] @ transposed).tocoo()
        keep = (block.data >= floor) & (block.row + begin < block.col)
        found_rows.append(block.row[keep] + begin)
        found_cols.append(block.col[keep])
    rows = np.concatenate(found_rows).astype(np.int64)
    cols = np.concatenate(found_cols).astype(np.int64)
    scores = np.empty(len(rows))
    for begin in range(0, len(rows), SCORE_SLICE):
        part = slice(begin, begin + SCORE_SLICE)
        scores[part] = np.asarray(
            vectors[rows[part]].multiply(vectors[cols[part]]).sum(axis=1)
        ).ravel()
    keep = scores >= floor
    return rows[keep], cols[keep], scores[keep]


def _sparse_linkage(
    rows: np.ndarray,
    cols: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    components: list[np.ndarray],
    apart: _Apart,
) -> list[list[int]]:
    """Average linkage over a graph of (adjusted) similarities, pairs not in it counting 0:
    the two groups with the highest mean similarity merge, while it reaches the threshold
    (Lance-Williams: the mean of a merged group to a third is the size-weighted mean of its
    parts'). Two groups holding a pair that must stay apart never merge."""
    import heapq

    size: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    where: dict[int, tuple[set[int], list[set[int]]]] = {}
    for component in components:
        for row in component.tolist():
            size[row], members[row], where[row] = 1, [row], apart.where([row])
    links: dict[int, dict[int, float]] = {row: {} for row in size}
    for a, b, value in zip(rows.tolist(), cols.tolist(), similarity.tolist(), strict=True):
        links[a][b] = value
        links[b][a] = value
    heap = [(-value, a, b) for a, near in links.items() for b, value in near.items() if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < threshold:
            break
        if a not in size or b not in size or links[a].get(b) != -negative:
            continue  # stale: one side merged since
        if apart.parted(where[a], where[b]):
            del links[a][b], links[b][a]
            continue
        near_a, near_b = links.pop(a), links.pop(b)
        near_a.pop(b), near_b.pop(a)
        merged_size = size[a] + size[b]
        near: dict[int, float] = {}
        for other in near_a.keys() | near_b.keys():
            value = (
                size[a] * near_a.get(other, 0.0) + size[b] * near_b.get(other, 0.0)
            ) / merged_size
            del links[other][a if other in near_a else b]
            links[other].pop(b, None)
            near[other] = value
            links[other][a] = value
            if value >= threshold:
                heapq.heappush(heap, (-value, min(a, other), max(a, other)))
        links[a] = near
        size[a], members[a] = merged_size, members[a] + members.pop(b)
        (regions_a, levels_a), (regions_b, levels_b) = where[a], where.pop(b)
        where[a] = (regions_a | regions_b, [x | y for x, y in zip(levels_a, levels_b, strict=True)])
        del size[b]
    return list(members.values())


class _Components:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item


def _related_keys(keys: set[str], inside: set[tuple[str, str]]) -> dict[str, set[str]]:
    """For every key the keys that may name the same entity: ``same_place`` (found through
    substrings) or written one inside the other (伊景园滨河苑 / 伊景园)."""
    related = {key: {key} for key in keys}
    for part, whole in inside:
        related.setdefault(part, {part}).add(whole)
        related.setdefault(whole, {whole}).add(part)
    for long in keys:
        for size in range(3, len(long)):
            for begin in range(len(long) - size + 1):
                short = long[begin : begin + size]
                if short in related and same_place(short, long):
                    related[short].add(long)
                    related[long].add(short)
    # A road is known by its name, whatever a writer puts in front of it: 星沙凉塘路 and
    # 四区凉塘路 are both 凉塘路, so they are one road too (two compounds ending in one name,
    # 绿地海外滩 / 中海海外滩, may be two estates and are not joined this way).
    for road in [key for key in related if is_road(key)]:
        ends = [key for key in related[road] if key.endswith(road) and is_road(key)]
        if len(ends) > 2:
            for key in ends:
                related[key].update(ends)
    return related


def _variant_keys(keys: set[str], related: dict[str, set[str]]) -> dict[str, set[str]]:
    """For every key the keys it may name through a variant spelling (:func:`name_variants`):
    the variant itself and the keys related to it (星沙中贸城 -> 星沙中茂城 and the 中茂城
    inside it), both ways. Only what ``related`` does not hold already; found through the
    keys with one character masked and with two neighbours swapped, not by comparing every
    pair of keys."""
    masked: dict[str, list[str]] = {}
    for key in keys:
        for index in range(len(key) - 1):
            masked.setdefault(f"{key[:index]}\0{key[index + 1 :]}", []).append(key)
    found: set[tuple[str, str]] = set()
    for sharing in masked.values():
        for a_pos, a in enumerate(sharing):
            for b in sharing[a_pos + 1 :]:
                if name_variants(a, b):
                    found.add((a, b))
    for key in keys:
        stem = name_stem(key)
        if stem in keys and stem_variant(stem, key):
            found.add((stem, key))
        for index in range(len(key) - 2):
            swapped = f"{key[:index]}{key[index + 1]}{key[index]}{key[index + 2 :]}"
            if swapped in keys and name_variants(key, swapped):
                found.add((key, swapped))
    variants: dict[str, set[str]] = {}
    for a, b in found:
        for one, other in ((a, b), (b, a)):
            for near in related.get(other, {other}) | {other}:
                for x, y in ((one, near), (near, one)):
                    if y not in related.get(x, ()):
                        variants.setdefault(x, set()).add(y)
    return variants


def _anchors_agree(a: dict[str, int], b: dict[str, int], related: dict[str, set[str]]) -> bool:
    """Whether two clusters' main places may be one issue: the most specific places of both
    must be one entity (a road's issue may join a compound on it, two compounds may not)."""
    if not a or not b:
        return True
    top_a, top_b = max(a.values()), max(b.values())
    if top_a != top_b:
        return True
    strongest_a = [k for k, r in a.items() if r == top_a]
    strongest_b = [k for k, r in b.items() if r == top_b]
    return all(y in related.get(x, ()) for x in strongest_a for y in strongest_b)


def _path_levels(paths: Sequence[tuple[Hashable, ...]]) -> np.ndarray:
    """Region paths as a (messages, depth) array of codes, one per region at each level, -1
    where a path is shorter."""
    depth = max(map(len, paths), default=0)
    codes: dict[tuple[int, Hashable], int] = {}
    levels = np.full((len(paths), depth), -1, dtype=np.int64)
    for row, path in enumerate(paths):
        for level, region in enumerate(path):
            levels[row, level] = codes.setdefault((level, region), len(codes))
    return levels


def _paths_apart(levels: np.ndarray) -> np.ndarray:
    """Pairs of rows whose region paths part: at some level both name a region, not the same."""
    apart = np.zeros((len(levels), len(levels)), dtype=bool)
    for column in levels.T:
        known = column >= 0
        apart |= (column[:, None] != column[None, :]) & known[:, None] & known[None, :]
    return apart


def _groups_apart(a: list[set[int]], b: list[set[int]]) -> bool:
    """Whether some message of one group and some of the other have paths that part; the
    arguments are, per level, the region codes the group's messages name there."""
    return any(x and y and len(x | y) > 1 for x, y in zip(a, b, strict=True))


def _compatible_areas(
    areas: set[tuple[Hashable, ...]],
) -> dict[tuple[Hashable, ...], list[tuple[Hashable, ...]]]:
    """For every area, the areas whose messages may be one issue with its own: itself, the
    areas above it (a province-wide board) and those below it."""
    return {
        area: [
            other for other in areas if other[: len(area)] == area or area[: len(other)] == other
        ]
        for area in areas
    }


def _merge_across_places(
    groups: list[list[int]],
    located: list[_Located],
    vectors: csr_matrix,
    regions: list[str],
    levels: np.ndarray,
    areas: list[tuple[Hashable, ...]],
) -> list[list[int]]:
    membership = csr_matrix(
        (
            np.ones(sum(map(len, groups))),
            ([i for i, g in enumerate(groups) for _ in g], [m for g in groups for m in g]),
        ),
        shape=(len(groups), vectors.shape[0]),
    )
    from sklearn.preprocessing import normalize as l2_normalize

    centroids = l2_normalize(membership @ vectors)
    main_keys: list[str | None] = []
    key_sets: list[set[str]] = []
    # Issues are compared only with issues of a compatible area (one's area path starts with
    # the other's: pass 2's blocks), so the work follows the areas' sizes, not the window's.
    group_areas = [areas[group[0]] for group in groups]
    compatible = _compatible_areas(set(group_areas))
    by_main_key: dict[tuple[str, tuple[Hashable, ...]], list[int]] = {}
    for index, group in enumerate(groups):
        place = located[group[0]].place
        main_keys.append(place.key if place else None)
        key_sets.append(set().union(*(located[m].keys for m in group)))
        if place:
            by_main_key.setdefault((place.key, group_areas[index]), []).append(index)
    inside = {pair for group in groups for m in group for pair in located[m].inside}
    all_keys = {key for key, _ in by_main_key} | set().union(*key_sets)
    related = _related_keys(all_keys, inside)
    variants = _variant_keys(all_keys, related)
    # Related through a variant spelling only: held to VARIANT_THRESHOLD.
    loose = {key: related.get(key, {key}) | near for key, near in variants.items()}
    candidates: set[tuple[int, int]] = set()
    by_variant: set[tuple[int, int]] = set()
    for index, keys in enumerate(key_sets):
        for key in keys:
            for found, other_keys in (
                (candidates, related.get(key, ())),
                (by_variant, variants.get(key, ())),
            ):
                for other_key in other_keys:
                    for area in compatible[group_areas[index]]:
                        for other in by_main_key.get((other_key, area), ()):
                            # Same key too: average linkage inside a place is strict, because
                            # bodies wander; two of its clusters whose centroids agree are
                            # still one problem (搅拌站 噪音 / 搅拌厂 灰尘 at one compound).
                            if other != index:
                                found.add((min(index, other), max(index, other)))
    by_variant -= candidates
    candidates |= by_variant
    pairs: list[tuple[float, int, int]] = []
    # A cluster whose place comes only from its messages' bodies is weak evidence of a place,
    # as within a place: each such side raises the bar.
    weak = np.array([not any(located[m].strong for m in group) for group in groups])
    if candidates:
        every_row, every_col = map(np.array, zip(*sorted(candidates), strict=True))
        for begin in range(0, len(every_row), SCORE_SLICE):
            rows = every_row[begin : begin + SCORE_SLICE]
            cols = every_col[begin : begin + SCORE_SLICE]
            scores = np.asarray(centroids[rows].multiply(centroids[cols]).sum(axis=1)).ravel()
            bar = np.array(
                [
                    VARIANT_THRESHOLD if pair in by_variant else CROSS_PLACE_THRESHOLD
                    for pair in zip(rows.tolist(), cols.tolist(), strict=True)
                ]
            )
            needed = bar + WEAK_PLACE_PENALTY * (weak[rows] + weak[cols])
            pairs += [
                (float(s), int(r), int(c))
                for s, r, c, n in zip(scores, rows, cols, needed, strict=True)
                if s >= n
            ]
    placeless_by_area: dict[tuple[Hashable, ...], list[int]] = {}
    placed_by_area: dict[tuple[Hashable, ...], list[int]] = {}
    for index, main_key in enumerate(main_keys):
        bucket = placeless_by_area if main_key is None else placed_by_area
        bucket.setdefault(group_areas[index], []).append(index)
    for area, placeless in placeless_by_area.items():
        placed = [i for other in compatible[area] for i in placed_by_area.get(other, ())]
        if not placed:
            continue
        # In slices: placeless issues against placed ones is the square of an area's issues.
        placed_t = centroids[placed].T.tocsr()
        step = max(1, PAIR_BUDGET // len(placed))
        for begin in range(0, len(placeless), step):
            product = (centroids[placeless[begin : begin + step]] @ placed_t).tocoo()
            keep = product.data >= JOIN_PLACE_THRESHOLD
            pairs += [
                (float(s), placeless[begin + int(r)], placed[int(c)])
                for s, r, c in zip(
                    product.data[keep], product.row[keep], product.col[keep], strict=True
                )
            ]
    components = _Components(len(groups))
    anchors: list[dict[str, int]] = []
    for group in groups:
        place = located[group[0]].place
        anchors.append({place.key: place.rank} if place and place.key else {})
    group_regions = [
        Counter(r for m in g if (r := regions[m])).most_common(1)[0][0]
        if any(regions[m] for m in g)
        else ""
        for g in groups
    ]
    group_levels = [
        [{int(code) for code in levels[g, level] if code >= 0} for level in range(levels.shape[1])]
        for g in groups
    ]
    joined_placeless: set[int] = set()
    for score, a, b in sorted(pairs, reverse=True):
        if a in joined_placeless:
            continue  # a placeless issue joins the one place it resembles most
        if regions_conflict(group_regions[a], group_regions[b]):
            continue
        root_a, root_b = components.find(a), components.find(b)
        if _groups_apart(group_levels[root_a], group_levels[root_b]):
            continue
        if root_a == root_b:
            continue
        if not _anchors_agree(anchors[root_a], anchors[root_b], related):
            if not (
                score >= VARIANT_THRESHOLD
                and _anchors_agree(anchors[root_a], anchors[root_b], loose)
            ):
                continue
            # Merged through a variant spelling: from now on the two are one name, so that
            # the issue's other parts join it as they would have joined either spelling.
            for x in anchors[root_a]:
                for y in anchors[root_b]:
                    if y in loose.get(x, ()):
                        related.setdefault(x, {x}).add(y)
                        related.setdefault(y, {y}).add(x)
        components.parent[root_a] = root_b
        anchors[root_b] = {**anchors[root_a], **anchors[root_b]}
        group_levels[root_b] = [
            x | y for x, y in zip(group_levels[root_a], group_levels[root_b], strict=True)
        ]
        if main_keys[a] is None:
            joined_placeless.add(a)
    merged: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        merged.setdefault(components.find(index), []).extend(group)
    return list(merged.values())


def _name_terms(title: str) -> set[str]:
    """Pieces of the names a title holds that the place rules may not recognise: character
    3-grams of the runs of single characters that segmentation leaves where it meets a word it
    does not know (余/易/贷, 58/车/贷, 聚/利/网, 富/惠 天下), each run taken with the word on
    either side. Problem words are dictionary words (强制 学生, 捆绑 销售) and give none.
    Which of the pieces are names is decided by their rarity among the window's issues."""
    words = segmenter().cut(_REGION_TEXT.sub(" ", title), False)
    terms: set[str] = set()
    index = 0
    while index < len(words):
        if not _is_single(words[index]):
            index += 1
            continue
        end = index
        while end < len(words) and _is_single(words[end]):
            end += 1
        run = words[index:end]
        if sum(len(w) for w in run if w not in STOP_WORDS) >= NAME_MIN_RUN:
            before = words[index - 1] if index > 0 and _NAME_RUN.fullmatch(words[index - 1]) else ""
            after = words[end] if end < len(words) and _NAME_RUN.fullmatch(words[end]) else ""
            span = before + "".join(run) + after
            terms.update(span[i : i + NAME_GRAM] for i in range(len(span) - NAME_GRAM + 1))
        index = end
    return terms


def _is_single(word: str) -> bool:
    """A one-character word, or a run of digits or Latin letters (58 in 58车贷)."""
    return (len(word) == 1 and bool(_NAME_RUN.fullmatch(word))) or bool(_ALNUM.fullmatch(word))


def _merge_by_names(
    groups: list[list[int]],
    messages: Sequence[HotMessage],
    texts: list[_Text],
    located: list[_Located],
    vectors: csr_matrix,
    regions: list[str],
    levels: np.ndarray,
) -> list[list[int]]:
    """Pass 4: issues that name the same rare thing (a company, platform, estate or village the
    place rules do not recognise, or one place written two ways) and describe a related problem
    are one issue, linked transitively as long as each link spans at most ``LINK_DAYS``.

    A term is a name when few issues' titles hold it (``NAME_MAX_ISSUES``): 58车贷 is, 拖欠 is
    not. Two issues are compared only through such terms, so the work grows with the number of
    issues times that bound, not with its square."""
    if len(groups) < 2:
        return groups
    # Place keys are names already recognised: one shared counts as NAME_CAP pieces.
    terms_of = [
        {(term, 1) for m in g for term in _name_terms(texts[m].title)}
        | {
            (f"#{word}", 1)
            for m in g
            for word in tokens(texts[m].title, normalized=True)
            if len(word) >= KEY_WORD_CHARS
        }
        | {
            (place.key, NAME_CAP)
            for m in g
            if (place := located[m].place) is not None
            and place.kind != LINE
            and not located[m].learned
        }
        for g in groups
    ]
    names = [
        {term for term, weight in terms if weight == 1 and "#" not in term} for terms in terms_of
    ]
    holders: dict[tuple[str, int], list[int]] = {}
    for index, terms in enumerate(terms_of):
        for term in terms:
            holders.setdefault(term, []).append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for (_, weight), indices in holders.items():
        if 1 < len(indices) <= NAME_MAX_ISSUES:
            for a_pos, a in enumerate(indices):
                for b in indices[a_pos + 1 :]:
                    shared[(a, b)] += weight
    if not shared:
        return groups
    membership = csr_matrix(
        (
            np.ones(sum(map(len, groups))),
            ([i for i, g in enumerate(groups) for _ in g], [m for g in groups for m in g]),
        ),
        shape=(len(groups), vectors.shape[0]),
    )
    from sklearn.preprocessing import normalize as l2_normalize

    totals = (membership @ vectors).tocsr()
    centroids = l2_normalize(totals)
    sums: dict[int, csr_matrix] = {}  # problem vector sums of merged issues, made on demand

    def total(index: int) -> csr_matrix:
        if index not in sums:
            sums[index] = totals[index]
        return sums[index]

    pairs = [(a, b) for (a, b), w in shared.items() if w >= NAME_MIN_SHARED]
    if not pairs:
        return groups
    rows, cols = map(np.array, zip(*pairs, strict=True))
    problem = np.concatenate(
        [
            np.asarray(
                centroids[rows[begin : begin + SCORE_SLICE]]
                .multiply(centroids[cols[begin : begin + SCORE_SLICE]])
                .sum(axis=1)
            ).ravel()
            for begin in range(0, len(rows), SCORE_SLICE)
        ]
    )
    scored = sorted(
        (
            (float(p) + NAME_WEIGHT * min(shared[(a, b)], NAME_CAP) / NAME_CAP, a, b)
            for p, a, b in zip(problem, rows.tolist(), cols.tolist(), strict=True)
            if p >= NAME_PROBLEM_FLOOR
        ),
        reverse=True,
    )
    stamps = [[t.timestamp() for m in g if (t := messages[m].time) is not None] for g in groups]
    spans = [(min(s), max(s)) if s else (None, None) for s in stamps]
    components = _Components(len(groups))
    anchors: list[dict[str, int]] = []
    for group in groups:
        ranks: dict[str, int] = {}
        for m in group:
            if (place := located[m].place) is not None:
                ranks[place.key] = max(place.rank, ranks.get(place.key, 0))
        anchors.append(ranks)
    inside = {pair for group in groups for m in group for pair in located[m].inside}
    related = _related_keys(set().union(*(set(a) for a in anchors)), inside)
    group_regions = [
        Counter(r for m in g if (r := regions[m])).most_common(1)[0][0]
        if any(regions[m] for m in g)
        else ""
        for g in groups
    ]
    group_levels = [
        [{int(code) for code in levels[g, level] if code >= 0} for level in range(levels.shape[1])]
        for g in groups
    ]
    window = LINK_DAYS * 86400
    for score, a, b in scored:
        if score < NAME_THRESHOLD:
            break
        root_a, root_b = components.find(a), components.find(b)
        if root_a == root_b:
            continue
        if regions_conflict(group_regions[a], group_regions[b]):
            continue
        if _groups_apart(group_levels[root_a], group_levels[root_b]):
            continue
        (first_a, last_a), (first_b, last_b) = spans[root_a], spans[root_b]
        if (
            first_a is not None
            and first_b is not None
            and last_a is not None
            and last_b is not None
            and max(first_a, first_b) - min(last_a, last_b) > window
        ):
            continue
        if not _same_entity(anchors[root_a], anchors[root_b], related):
            continue
        if names[root_a] and names[root_b] and not names[root_a] & names[root_b]:
            continue  # 鑫宝贷 and 融汇通: two platforms, however alike the complaints
        # The problems of the whole issues, not just of the two linked parts, must agree: a
        # chain of links may not drift from one problem to another.
        if (root_a, root_b) != (a, b):
            sum_a, sum_b = total(root_a), total(root_b)
            together = sum_a.multiply(sum_b).sum()
            norms = math.sqrt(sum_a.multiply(sum_a).sum() * sum_b.multiply(sum_b).sum())
            if norms and together / norms < NAME_PROBLEM_FLOOR:
                continue
        sums[root_b] = total(root_b) + total(root_a)
        components.parent[root_a] = root_b
        names[root_b] = names[root_a] | names[root_b]
        for key, rank in anchors[root_a].items():
            anchors[root_b][key] = max(rank, anchors[root_b].get(key, 0))
        group_levels[root_b] = [
            x | y for x, y in zip(group_levels[root_a], group_levels[root_b], strict=True)
        ]
        if (
            first_a is not None
            and first_b is not None
            and last_a is not None
            and last_b is not None
        ):
            spans[root_b] = (min(first_a, first_b), max(last_a, last_b))
        else:
            spans[root_b] = spans[root_b] if first_b is not None else spans[root_a]
    merged: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        merged.setdefault(components.find(index), []).extend(group)
    return list(merged.values())


def _same_entity(a: dict[str, int], b: dict[str, int], related: dict[str, set[str]]) -> bool:
    """Whether two issues linked by a name may be one: stricter than :func:`_anchors_agree`,
    because the name may be a phrase (乱停乱放) rather than an entity. If both name places,
    the most specific place of one must be a place of the other, whatever its kind."""
    if not a or not b:
        return True
    return any(y in related.get(x, {x}) for x in _strongest(a) for y in b) or any(
        y in related.get(x, {x}) for x in _strongest(b) for y in a
    )


def _strongest(anchors: dict[str, int]) -> dict[str, int]:
    if not anchors:
        return anchors
    top = max(anchors.values())
    return {k: r for k, r in anchors.items() if r == top}


def cluster(messages: Sequence[HotMessage]) -> list[list[int]]:
    """Indices of messages grouped into issues (largest first)."""
    return _cluster(messages)[0]


def themes(messages: Sequence[HotMessage]) -> list[tuple[list[int], str]]:
    """Groups of similar texts (largest first), each named by its most typical title: how the
    suggestions of a campaign are sorted into themes."""
    return [(group, _representative(group, messages)) for group in cluster(messages)]


def _cluster(
    messages: Sequence[HotMessage],
) -> tuple[list[list[int]], list[_Located], list[_Text]]:
    if not messages:
        return [], [], []
    texts = [_Text.of(m) for m in messages]
    located = [_locate(t) for t in texts]
    located = _with_known_names(located, _known_names(located))
    # A generator: the token lists are read once, never all held (a window of 500,000).
    documents = (_problem_tokens(t, loc) for t, loc in zip(texts, located, strict=True))
    from sklearn.feature_extraction.text import TfidfVectorizer

    # The documents are token lists already: the analyzer passes them through.
    # Single precision: the matrix and its copies (centroids, sums) are the largest thing
    # held for a big window, and cosines need no more than seven digits.
    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True, dtype=np.float32)
    vectors = vectorizer.fit_transform(documents).tocsr()
    del vectorizer  # its vocabulary (every word and bigram of the window) is not needed again
    holders = np.bincount(vectors.indices, minlength=vectors.shape[1])
    searchable = holders <= max(COMMON_MIN, COMMON_SHARE * len(messages))
    # Two messages whose regions conflict (碧桂园 in A5区 and 碧桂园 in A7县 are two estates of
    # one developer) are never one issue; compared once per pair of distinct regions.
    region_names = sorted({t.region for t in texts})
    region_index = {name: index for index, name in enumerate(region_names)}
    region_ids = np.array([region_index[t.region] for t in texts])
    conflicts = _Conflicts(region_names)
    levels = _path_levels([m.region_path for m in messages])
    # Blocks of one place key under one area: the region path without its last level (the
    # county's prefecture), so that the work grows with the area's messages, not the window's.
    # Messages filed under the prefecture itself are in that block too; the rare ones filed
    # higher up form blocks of their own and join through pass 3.
    depth = levels.shape[1]
    areas = [m.region_path[: max(depth - 1, 0)] for m in messages]
    by_place: dict[tuple[str | None, tuple[Hashable, ...]], list[int]] = {}
    for index, loc in enumerate(located):
        by_place.setdefault((loc.place.key if loc.place else None, areas[index]), []).append(index)
    groups: list[list[int]] = []
    for (key, _), members in by_place.items():
        if len(members) == 1:
            groups.append(members)
            continue
        threshold = NO_PLACE_THRESHOLD if key is None else SAME_PLACE_THRESHOLD
        rows = np.array(members)
        apart = _Apart(region_ids[rows], conflicts, levels[rows])
        # A place found only in the body is weaker evidence than one in the title: a prolific
        # writer mentions their own compound in every message, whatever it is about.
        weak = np.array([key is not None and not located[m].strong for m in members])
        for part in _bounded_linkage(vectors[rows], threshold, apart, weak, searchable):
            groups.append([members[r] for r in part])
    regions = [t.region for t in texts]
    groups = _merge_across_places(groups, located, vectors, regions, levels, areas)
    groups = _merge_by_names(groups, messages, texts, located, vectors, regions, levels)
    return sorted((sorted(g) for g in groups), key=len, reverse=True), located, texts


def _representative(indices: list[int], messages: Sequence[HotMessage]) -> str:
    """The title sharing most words with the other titles of the issue, the shorter preferred
    among equals (divided by the square root of its own word count)."""
    titles = [normalize(messages[i].title) for i in indices]
    if len(titles) == 1:
        return titles[0]
    words = [set(tokens(t, normalized=True)) for t in titles]
    common = Counter(w for ws in words for w in ws)
    scores = [sum(common[w] for w in ws) / (1 + len(ws) ** 0.5) for ws in words]
    return titles[int(np.argmax(scores))]


def _place_label(texts: list[_Text], located: list[_Located]) -> tuple[str, list[str]]:
    """The issue's place as region + name (A2区丽发新城), and all its place keys by frequency.

    The place is the key most members are about (the more specific kind wins a tie), written
    the way most of them write it, behind the region most of them name."""
    # Places named in titles say what the messages are about; a body's place stands in only
    # when no title names one and more than half the members name it (bodies name the
    # developer, a landmark, the writer's address).
    from_title = any(loc.place and loc.from_title for loc in located)
    keys = Counter(
        loc.place.key for loc in located if loc.place and (loc.from_title or not from_title)
    )
    if not from_title and keys and keys.most_common(1)[0][1] * 2 <= len(located):
        keys = Counter()
    name = ""
    if keys:
        rank = {loc.place.key: loc.place.rank for loc in located if loc.place}
        key = max(keys, key=lambda k: (keys[k], rank[k], len(k)))
        about = [
            (text, loc.place)
            for text, loc in zip(texts, located, strict=True)
            if loc.place and loc.place.key == key and (loc.from_title or not from_title)
        ]
        names = Counter(place.name for _, place in about)
        name = max(names, key=lambda n: (names[n], len(n)))
        texts = [text for text, _ in about]
    # A region read from a sentence may be cut from it (当前西地省, A4区 of A4区域): only one
    # that some member writes as whole words is shown.
    regions = Counter(
        region
        for text in texts
        if (region := text.region) and (whole_in(region, text.title) or whole_in(region, text.body))
    )
    region = max(regions, key=lambda r: (regions[r], len(r)), default="")
    # The label is written as some member writes it: region and name together only when one
    # of them does (A2区丽发新城小区), else the name alone.
    label = name or region
    if name and region and not name.startswith(region):
        joined = f"{region}{name}"
        if any(joined in text.title or joined in text.body for text in texts):
            label = joined
    return label, [k for k, _ in keys.most_common()]


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
    groups, located, texts = _cluster(window)
    for indices in groups:
        if len(indices) < min_messages:
            continue
        members = [window[i] for i in indices]
        stamps = sorted(m.time for m in members if m.time)
        first = stamps[0] if stamps else None
        last = stamps[-1] if stamps else None
        span = (last - first).total_seconds() / 86400 if first and last else 0.0
        age = (reference - last).total_seconds() / 86400 if reference and last else 0.0
        authors = len({m.author for m in members if m.author}) or len(members)
        likes = sum(max(m.likes, 0) for m in members)
        dislikes = sum(max(m.dislikes, 0) for m in members)
        issue = HotIssue(
            title="",
            place="",
            first=first,
            last=last,
            message_ids=[m.id for m in members],
            authors=authors,
            likes=likes,
            heat=heat_index(
                count=len(members),
                authors=authors,
                likes=likes,
                dislikes=dislikes,
                span_days=span,
                age_days=age,
            ),
            dislikes=dislikes,
        )
        issues.append((issue, indices))
    issues.sort(key=lambda pair: (-pair[0].heat, -pair[0].authors, -pair[0].likes))
    # Titles and places only for the issues shown: they are the slow part of the summary.
    for rank, (issue, indices) in enumerate(issues[:top], start=1):
        issue.rank = rank
        issue.title = _representative(indices, window)
        issue.place, issue.places = _place_label(
            [texts[i] for i in indices], [located[i] for i in indices]
        )
    return [issue for issue, _ in issues[:top]]
