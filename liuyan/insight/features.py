"""TF-IDF features of the domain classifier in plain Python and numpy.

Why not scikit-learn's vectorisers: importing scikit-learn alone takes 0.6-1.4 s (it pulls in
scipy.stats), which broke the budget of loading a model in under a second in a fresh process.
Its text vectorisers generate n-grams in Python anyway, so doing it here costs no throughput;
training (liuyan.insight.train) still uses scikit-learn for the estimators.

A :class:`FeatureSpace` is a list of views of a document (word n-grams, character n-grams, ...),
each with its own vocabulary and inverse document frequencies. A document's row is the views'
sublinear TF-IDF vectors, each L2-normalised and scaled by the view's weight, side by side --
what ``TfidfVectorizer(sublinear_tf=True)`` per view followed by ``hstack`` gives, with
``smooth_idf`` and the same formulas, so that models fitted on either agree.

Rows come back in CSR form as plain numpy arrays (:class:`Rows`); :meth:`Rows.dot` scores them
against a dense weight matrix without scipy, whose import is also slow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """Word n-grams of space-separated text, joined by one space (as scikit-learn does)."""
    words = text.split()
    grams = list(words) if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return grams


ANALYZERS: dict[str, Callable[[str, int, int], list[str]]] = {
    "word": word_ngrams,
    "char": char_ngrams,
}


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

    def grams(self, document: Any) -> list[str]:
        text = getattr(document, self.field)
        if self.limit:
            text = text[: self.limit]
        return ANALYZERS[self.analyzer](text, self.low, self.high)

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
    vocabulary: dict[str, int]  # gram -> column within the view
    terms: list[str]  # column -> gram (kept for saving)
    idf: np.ndarray  # (len(terms),) float32


@dataclass(slots=True)
class Rows:
    """A CSR matrix as numpy arrays: row i's columns are indices[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Rows @ weights for a dense (n_columns, k) matrix, with numpy alone."""
        n_rows = self.shape[0]
        result = np.zeros((n_rows, weights.shape[1]), dtype=np.float64)
        if not len(self.data):
            return result
        products = self.data[:, None] * weights[self.indices]
        filled = np.flatnonzero(np.diff(self.indptr) > 0)
        # reduceat over the starts of non-empty rows only: for an empty row it would return the
        # next row's first element instead of zero.
        result[filled] = np.add.reduceat(products, self.indptr[filled], axis=0)
        return result


class FeatureSpace:
    def __init__(self, views: Sequence[View]) -> None:
        self.views = list(views)
        self.offsets = np.cumsum([0] + [len(v.terms) for v in self.views])
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
            frequency: Counter[str] = Counter()
            for document in documents:
                frequency.update(set(spec.grams(document)))
            terms = sorted(g for g, df in frequency.items() if df >= spec.min_df)
            df = np.array([frequency[g] for g in terms], dtype=np.float64)
            # scikit-learn's smooth_idf: as if one extra document contained every term once.
            idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
            views.append(View(spec, {g: i for i, g in enumerate(terms)}, terms, idf))
        return cls(views)

    def transform(self, documents: Sequence[Any]) -> Rows:
        n_rows = len(documents)
        total = self.n_features
        keys = []
        for view, offset in zip(self.views, self.offsets, strict=False):
            lookup = view.vocabulary.get
            for row, document in enumerate(documents):
                grams = view.spec.grams(document)
                # map() over dict.get with a default runs in C: no Python loop per gram.
                columns = np.fromiter(map(lookup, grams, repeat(-1)), np.int64, len(grams))
                columns = columns[columns >= 0]
                keys.append(row * total + offset + columns)
        flat = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        unique, counts = np.unique(flat, return_counts=True)
        rows, columns = np.divmod(unique, max(total, 1))
        data = (1.0 + np.log(counts)) * self.idf[columns]
        # L2 norm per (row, view), then the view's weight.
        view_of = np.searchsorted(self.offsets, columns, side="right") - 1
        group = rows * len(self.views) + view_of
        norms = np.sqrt(np.bincount(group, data * data, minlength=n_rows * len(self.views)))
        weights = np.array([v.spec.weight for v in self.views], dtype=np.float64)
        data = data / norms[group] * weights[view_of]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        return Rows(indptr, columns.astype(np.int32), data, (n_rows, total))

    # --- persistence: flat arrays, so an artefact loads with numpy alone -------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        for i, view in enumerate(self.views):
            # Grams never contain a newline (documents are whitespace-collapsed), so one joined
            # string stores a vocabulary far more compactly and quickly than an object array.
            arrays[f"view{i}_terms"] = np.array("\n".join(view.terms))
            arrays[f"view{i}_idf"] = view.idf.astype(np.float32)
        return arrays

    def specs(self) -> list[dict[str, Any]]:
        return [v.spec.as_dict() for v in self.views]

    @classmethod
    def from_arrays(cls, specs: Sequence[dict[str, Any]], arrays: Any) -> FeatureSpace:
        views = []
        for i, spec in enumerate(specs):
            joined = str(arrays[f"view{i}_terms"])
            terms = joined.split("\n") if joined else []
            vocabulary = dict(zip(terms, range(len(terms)), strict=True))
            views.append(View(ViewSpec(**spec), vocabulary, terms, arrays[f"view{i}_idf"]))
        return cls(views)
