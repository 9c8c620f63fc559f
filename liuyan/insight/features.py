"""TF-IDF features of the domain classifier in numpy, with integer n-gram keys.

Why not scikit-learn's vectorisers: importing scikit-learn alone takes 0.6-1.4 s (it pulls in
scipy.stats), which broke the budget of loading a model in under a second in a fresh process;
and its vectorisers build n-grams one Python string at a time.

Here an n-gram is an integer, computed for a whole batch at once:

* a character n-gram (n <= 3) packs its code points, 21 bits each, into one int64: the text
  of a batch becomes one array of code points and each n-gram length is a few shifts and ors;
* a word n-gram packs the ids of its words (words are looked up once each in a dict).

A vocabulary is then a sorted int64 array: lookups are one ``np.searchsorted`` per view and
batch, and loading a model parses no strings except the word list. The grams are exactly those
of scikit-learn's ``analyzer="char"`` and whitespace-token word analyzers, so the figures of
models fitted either way agree (tests/insight/test_classify_features.py checks it).

A :class:`FeatureSpace` is a list of views of a document (word n-grams, character n-grams, ...),
each with its own vocabulary and inverse document frequencies. A document's row is the views'
sublinear TF-IDF vectors (scikit-learn's ``smooth_idf`` formulas), each L2-normalised and scaled
by the view's weight, side by side. Rows come back in CSR form as plain numpy arrays
(:class:`Rows`); :meth:`Rows.dot` scores them against a dense weight matrix without scipy, whose
import is also slow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

_CODE_BITS = 21  # every Unicode code point (<= 0x10FFFF) fits, shifted by one
MAX_CHAR_N = 3  # three 21-bit code points fill 63 bits of an int64


def _char_keys(texts: Sequence[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every character n-gram, low <= n <= high, of every text."""
    if high > MAX_CHAR_N:
        raise ValueError(f"character n-grams longer than {MAX_CHAR_N} do not fit an int64 key")
    # Code points shifted by one, so 0 separates texts and no n-gram spans two of them; n-grams
    # of different lengths land in disjoint key ranges ([1, 2^21), [2^21, 2^42), [2^42, 2^63)).
    joined = "\0".join(text.replace("\0", "") for text in texts) + "\0"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) + 1
    codes[codes == 1] = 0
    row_of = np.cumsum(codes == 0) - (codes == 0)
    rows, keys = [], []
    for n in range(low, high + 1):
        length = len(codes) - n + 1
        if length <= 0:
            continue
        key = codes[:length].copy()
        valid = key > 0
        for k in range(1, n):
            part = codes[k : k + length]
            key = (key << _CODE_BITS) | part
            valid &= part > 0
        rows.append(row_of[:length][valid])
        keys.append(key[valid])
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(keys)


def _word_ids(texts: Sequence[str], words: dict[str, int]) -> np.ndarray:
    """Ids of the words of all texts in a row, -1 for unknown words and -2 between texts."""
    ids: list[int] = []
    lookup = words.get
    for text in texts:
        ids.extend(map(lookup, text.split(), repeat(-1)))  # map() runs the lookups in C
        ids.append(-2)
    return np.array(ids, dtype=np.int64)


def _word_keys(
    texts: Sequence[str], low: int, high: int, words: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every word n-gram made of known words; key ranges differ per n."""
    ids = _word_ids(texts, words)
    row_of = np.cumsum(ids == -2) - (ids == -2)
    base = len(words) + 1
    rows, keys = [], []
    for n in range(low, high + 1):
        length = len(ids) - n + 1
        if length <= 0:
            continue
        key = np.zeros(length, np.int64)
        valid = np.ones(length, bool)
        for k in range(n):
            part = ids[k : k + length]
            key = key * base + part + 1
            valid &= part >= 0
        rows.append(row_of[:length][valid])
        keys.append(key[valid] + (n - 1) * base**n)  # (n-1)*base^n: disjoint ranges per n
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(keys)


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """Which text of a document a view reads (a Document field), how, and how much it weighs."""

    name: str
    field: str
    analyzer: str
    low: int
    high: int
    weight: float = 1.0
    # Grams seen in fewer training documents are dropped: they cannot generalise, and they would
    # make up most of the vocabulary and so most of the artefact and of its load time.
    min_df: int = 2
    # Read only the first ``limit`` characters of the field when above zero: a view of the head
    # of a message weighs its title (which comes first) without needing it as a separate field,
    # which the pre-segmented training rows do not have.
    limit: int = 0

    def texts(self, documents: Sequence[Any]) -> list[str]:
        texts = [getattr(document, self.field) for document in documents]
        return [text[: self.limit] for text in texts] if self.limit else texts

    def keys(
        self, documents: Sequence[Any], words: dict[str, int] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.analyzer == "char":
            return _char_keys(self.texts(documents), self.low, self.high)
        return _word_keys(self.texts(documents), self.low, self.high, words or {})

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "field": self.field,
            "analyzer": self.analyzer,
            "low": self.low,
            "high": self.high,
            "weight": self.weight,
            "min_df": self.min_df,
            "limit": self.limit,
        }


@dataclass(slots=True)
class View:
    spec: ViewSpec
    keys: np.ndarray  # sorted int64 n-gram keys; a key's position is its column in the view
    idf: np.ndarray  # (len(keys),) float32
    words: dict[str, int] | None = None  # word views: word -> id used in the keys

    def columns(self, documents: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram of the documents that is in the vocabulary."""
        rows, keys = self.spec.keys(documents, self.words)
        if not len(self.keys):
            return rows[:0], keys[:0]
        # Every key searched directly: sorting the keys first (np.unique with return_inverse)
        # cost three times the search itself (1.6 s against 0.5 s for the character view of
        # 5,346 messages and a 71k-gram vocabulary; the bench's 337k-gram model gained too).
        position = np.searchsorted(self.keys, keys)
        position[position == len(self.keys)] = 0
        known = self.keys[position] == keys
        return rows[known], position[known]


def _distinct_pairs(rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The keys with each (row, key) pair once: counting them gives document frequencies."""
    order = np.lexsort((keys, rows))
    rows, keys = rows[order], keys[order]
    first = np.ones(len(keys), bool)
    first[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    return keys[first]


@dataclass(slots=True)
class Rows:
    """A CSR matrix as numpy arrays: row i's columns are indices[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Rows @ weights for a dense (n_columns, k) matrix, with numpy alone."""
        n_rows, k = self.shape[0], weights.shape[1]
        if not len(self.data) or not k:
            return np.zeros((n_rows, k), dtype=np.float64)
        row_of = np.repeat(np.arange(n_rows), np.diff(self.indptr))
        # One weighted bincount per output column: half the time of gathering whole weight
        # rows (nnz x k) and summing them with reduceat.
        return np.stack(
            [
                np.bincount(row_of, weights=self.data * column[self.indices], minlength=n_rows)
                for column in np.ascontiguousarray(weights.T)
            ],
            axis=1,
        )


class FeatureSpace:
    def __init__(self, views: Sequence[View]) -> None:
        self.views = list(views)
        self.offsets = np.cumsum([0] + [len(v.keys) for v in self.views])
        self.idf = (
            np.concatenate([v.idf for v in self.views]).astype(np.float64)
            if self.views
            else np.zeros(0)
        )

    @property
    def n_features(self) -> int:
        return int(self.offsets[-1])

    @classmethod
    def fit(cls, specs: Sequence[ViewSpec], documents: Sequence[Any]) -> FeatureSpace:
        n = len(documents)
        views = []
        for spec in specs:
            words = None
            if spec.analyzer == "word":
                # Ids for the words frequent enough to count: a word n-gram is at most as
                # frequent as each of its words, so no n-gram that survives min_df is lost.
                frequency: Counter[str] = Counter()
                for text in spec.texts(documents):
                    frequency.update(set(text.split()))
                kept = sorted(w for w, df in frequency.items() if df >= spec.min_df)
                words = {w: i for i, w in enumerate(kept)}
            rows, keys = spec.keys(documents, words)
            unique, df = np.unique(_distinct_pairs(rows, keys), return_counts=True)
            keep = df >= spec.min_df
            # scikit-learn's smooth_idf: as if one extra document contained every term once.
            idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
            views.append(View(spec, unique[keep], idf, words))
        return cls(views)

    def transform(self, documents: Sequence[Any]) -> Rows:
        n_rows, n_views, total = len(documents), len(self.views), max(self.n_features, 1)
        flat = [
            rows * total + offset + columns
            for view, offset in zip(self.views, self.offsets[:-1], strict=True)
            for rows, columns in [view.columns(documents)]
        ]
        cells, counts = np.unique(
            np.concatenate(flat) if flat else np.zeros(0, np.int64), return_counts=True
        )
        rows, columns = np.divmod(cells, total)
        data = (1.0 + np.log(counts)) * self.idf[columns]
        # L2 norm per (row, view), then the view's weight.
        view_of = np.searchsorted(self.offsets, columns, side="right") - 1
        group = rows * n_views + view_of
        norms = np.sqrt(np.bincount(group, data * data, minlength=n_rows * n_views))
        weights = np.array([v.spec.weight for v in self.views], dtype=np.float64)
        data = data / norms[group] * weights[view_of]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        return Rows(indptr, columns.astype(np.int32), data, (n_rows, self.n_features))

    # --- persistence: flat arrays, so an artefact loads with numpy alone -------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        for i, view in enumerate(self.views):
            arrays[f"view{i}_keys"] = view.keys.astype(np.int64)
            arrays[f"view{i}_idf"] = view.idf.astype(np.float32)
            if view.words is not None:
                # Words hold no whitespace, so one joined string stores the list compactly and
                # needs no pickle to load.
                arrays[f"view{i}_words"] = np.array("\n".join(view.words))
        return arrays

    def specs(self) -> list[dict[str, Any]]:
        return [v.spec.as_dict() for v in self.views]

    @classmethod
    def from_arrays(cls, specs: Sequence[dict[str, Any]], arrays: Any) -> FeatureSpace:
        views = []
        for i, spec in enumerate(specs):
            words = None
            if f"view{i}_words" in arrays:
                joined = str(arrays[f"view{i}_words"])
                listed = joined.split("\n") if joined else []
                words = dict(zip(listed, range(len(listed)), strict=True))
            views.append(
                View(ViewSpec(**spec), arrays[f"view{i}_keys"], arrays[f"view{i}_idf"], words)
            )
        return cls(views)
