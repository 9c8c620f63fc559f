"""Similar messages, near-duplicates and copy-paste campaigns.

The index
---------
Every message becomes a TF-IDF vector over its character bigrams (after normalisation, with
punctuation and spaces removed), L2-normalised, so the score of two messages is their cosine.
Character bigrams need no segmentation, survive typos and synonyms in the rest of the sentence,
and two-character words are the bulk of Chinese vocabulary.

The vectors are stored twice, in compressed sparse form:

* by term (an inverted index: for each bigram, the messages containing it and their weights)
  for candidate generation: a draft's score against all messages is accumulated term by term,
  touching only the postings of the draft's bigrams. Bigrams found in more than
  ``COMMON_TERM_SHARE`` of all messages (的问/小区/我们...) are skipped at this stage; they weigh
  little and would cost most of the time;
* by message, to rescore the best ``RESCORE`` candidates exactly with every bigram.

IDF is computed when the index is frozen (on first query after additions), so additions are
cheap and queries see a consistent snapshot. Filters (group such as board or region, time
window, excluded ids) are numpy masks applied to the candidate scores.

Campaigns are groups of near-identical texts (cosine >= ``CAMPAIGN_THRESHOLD``) from at least
``min_authors`` different authors, found by linking near-duplicate pairs and taking connected
components (union-find).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse

from liuyan.insight.text import normalize

COMMON_TERM_SHARE = 0.1
RESCORE = 200
NEAR_DUPLICATE = 0.8
CAMPAIGN_THRESHOLD = 0.8
_NON_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


@dataclass(frozen=True, slots=True)
class IndexedMessage:
    id: Hashable
    text: str
    group: str | None = None
    time: datetime | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    id: Hashable
    score: float
    near_duplicate: bool


@dataclass(frozen=True, slots=True)
class Campaign:
    ids: list[Hashable]
    authors: list[str]
    first: datetime | None
    last: datetime | None
    sample: str


def shingles(text: str) -> list[str]:
    """Character bigrams of the normalised text without punctuation or spaces."""
    clean = _NON_CONTENT.sub("", normalize(text).lower())
    if len(clean) < 2:
        return [clean] if clean else []
    return [clean[i : i + 2] for i in range(len(clean) - 1)]


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else math.nan


class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


class SimilarityIndex:
    """In-memory similarity index over messages; see the module docstring for the design."""

    def __init__(self) -> None:
        self._messages: list[IndexedMessage] = []
        self._position: dict[Hashable, int] = {}
        self._vocabulary: dict[str, int] = {}
        self._rows: list[np.ndarray] = []  # term ids per message
        self._counts: list[np.ndarray] = []  # term frequencies per message
        self._frozen = False
        self._by_message: sparse.csr_matrix | None = None
        self._by_term: sparse.csc_matrix | None = None
        self._idf = np.zeros(0)
        self._groups = np.zeros(0, dtype=object)
        self._times = np.zeros(0)

    def __len__(self) -> int:
        return len(self._messages)

    def copy(self) -> SimilarityIndex:
        """A copy to add to while other threads still query this one: the per-message lists
        and the vocabulary are copied (references to the same arrays), the matrices are shared
        until the copy's next freeze replaces them."""
        twin = SimilarityIndex.__new__(SimilarityIndex)
        twin.__dict__.update(self.__dict__)
        twin._messages = list(self._messages)
        twin._position = dict(self._position)
        twin._vocabulary = dict(self._vocabulary)
        twin._rows = list(self._rows)
        twin._counts = list(self._counts)
        return twin

    def add(self, messages: Iterable[IndexedMessage]) -> None:
        for message in messages:
            if message.id in self._position:
                raise ValueError(f"message {message.id!r} is already indexed")
            counts = Counter(self._term_id(s) for s in shingles(message.text))
            self._position[message.id] = len(self._messages)
            self._messages.append(message)
            self._rows.append(np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)))
            self._counts.append(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        self._frozen = False

    def _term_id(self, term: str) -> int:
        term_id = self._vocabulary.get(term)
        if term_id is None:
            term_id = self._vocabulary[term] = len(self._vocabulary)
        return term_id

    def freeze(self) -> None:
        """Build the sparse matrices; called on the first query after additions."""
        if self._frozen:
            return
        n_docs, n_terms = len(self._messages), len(self._vocabulary)
        lengths = np.array([len(r) for r in self._rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate(self._rows) if self._rows else np.zeros(0, np.int32)
        tf = np.concatenate(self._counts) if self._counts else np.zeros(0, np.float32)
        df = np.bincount(indices, minlength=n_terms)
        self._idf = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
        weights = (1 + np.log(tf)) * self._idf[indices]
        matrix = sparse.csr_matrix((weights, indices, indptr), shape=(n_docs, n_terms))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        matrix = sparse.csr_matrix(sparse.diags(1 / norms) @ matrix, dtype=np.float32)
        self._by_message = matrix
        self._by_term = matrix.tocsc()
        self._df = df
        self._groups = np.array([m.group for m in self._messages], dtype=object)
        self._times = np.array([_epoch(m.time) for m in self._messages])
        self._frozen = True

    def _query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self._vocabulary[s] for s in shingles(text) if s in self._vocabulary)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        terms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        weights = (1 + np.log(tf)) * self._idf[terms]
        # Normalise with the draft's unknown bigrams too, so a draft full of new text scores low.
        unknown = sum(1 for s in set(shingles(text)) if s not in self._vocabulary)
        norm = math.sqrt(float(weights @ weights) + unknown * float(self._idf.max(initial=1)) ** 2)
        return terms, weights / (norm or 1)

    def _candidate_scores(self, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
        by_term = self._by_term
        assert by_term is not None, "query() freezes the index first"
        scores = np.zeros(len(self._messages), dtype=np.float32)
        limit = max(1, int(COMMON_TERM_SHARE * len(self._messages)))
        rare = self._df[terms] <= limit
        if not rare.any():  # a draft of only common bigrams: use them all
            rare[:] = True
        for term, weight in zip(terms[rare], weights[rare], strict=True):
            begin, end = by_term.indptr[term], by_term.indptr[term + 1]
            scores[by_term.indices[begin:end]] += weight * by_term.data[begin:end]
        return scores

    def _filter(
        self,
        scores: np.ndarray,
        group: str | None,
        since: datetime | None,
        until: datetime | None,
        exclude: Iterable[Hashable],
    ) -> None:
        if group is not None:
            scores[self._groups != group] = 0
        if since is not None:
            scores[~(self._times >= since.timestamp())] = 0
        if until is not None:
            scores[~(self._times < until.timestamp())] = 0
        for message_id in exclude:
            position = self._position.get(message_id)
            if position is not None:
                scores[position] = 0

    def query(
        self,
        text: str,
        k: int = 10,
        *,
        group: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        exclude: Iterable[Hashable] = (),
        min_score: float = 0.05,
    ) -> list[Match]:
        """The ``k`` messages most similar to ``text``, best first, with cosine scores."""
        self.freeze()
        if not self._messages:
            return []
        terms, weights = self._query_vector(text)
        if len(terms) == 0:
            return []
        scores = self._candidate_scores(terms, weights)
        self._filter(scores, group, since, until, exclude)
        candidates = np.flatnonzero(scores)
        if len(candidates) > RESCORE:
            top = np.argpartition(-scores[candidates], RESCORE)[:RESCORE]
            candidates = candidates[top]
        by_message = self._by_message
        assert by_message is not None, "built by freeze() above"
        query = np.zeros(by_message.shape[1], dtype=np.float32)
        query[terms] = weights
        exact = by_message[candidates] @ query
        order = np.argsort(-exact)[:k]
        return [
            Match(
                self._messages[candidates[i]].id,
                round(float(exact[i]), 4),
                bool(exact[i] >= NEAR_DUPLICATE),
            )
            for i in order
            if exact[i] >= min_score
        ]

    def near_duplicates(self, text: str, **filters: Any) -> list[Match]:
        return [m for m in self.query(text, k=50, **filters) if m.near_duplicate]

    def _positions_in_window(self, since: datetime | None, until: datetime | None) -> np.ndarray:
        keep = np.ones(len(self._messages), dtype=bool)
        if since is not None:
            keep &= self._times >= since.timestamp()
        if until is not None:
            keep &= self._times < until.timestamp()
        return np.flatnonzero(keep)

    def find_campaigns(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        min_authors: int = 3,
        threshold: float = CAMPAIGN_THRESHOLD,
        chunk: int = 2000,
    ) -> list[Campaign]:
        """Groups of near-identical messages from at least ``min_authors`` distinct authors."""
        self.freeze()
        positions = self._positions_in_window(since, until)
        if len(positions) < 2:
            return []
        assert self._by_message is not None, "built by freeze() above"
        window = self._by_message[positions]
        links = _UnionFind(len(positions))
        transposed = window.T.tocsr()
        for begin in range(0, len(positions), chunk):
            product = (window[begin : begin + chunk] @ transposed).tocoo()
            mask = (product.data >= threshold) & (product.row + begin < product.col)
            for row, col in zip(product.row[mask], product.col[mask], strict=True):
                links.union(int(row) + begin, int(col))
        components: dict[int, list[int]] = {}
        for local in range(len(positions)):
            components.setdefault(links.find(local), []).append(local)
        campaigns = []
        for members in components.values():
            messages = [self._messages[positions[i]] for i in members]
            authors = sorted({m.author for m in messages if m.author})
            if len(members) < 2 or len(authors) < min_authors:
                continue
            times = [m.time for m in messages if m.time is not None]
            campaigns.append(
                Campaign(
                    ids=[m.id for m in messages],
                    authors=authors,
                    first=min(times) if times else None,
                    last=max(times) if times else None,
                    sample=messages[0].text[:80],
                )
            )
        campaigns.sort(key=lambda c: (-len(c.authors), -len(c.ids)))
        return campaigns


def build_index(messages: Sequence[IndexedMessage]) -> SimilarityIndex:
    index = SimilarityIndex()
    index.add(messages)
    index.freeze()
    return index
