"""The numpy TF-IDF views against scikit-learn's, which the model used to be fitted with."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from liuyan.insight import classify
from liuyan.insight.features import FeatureSpace, ViewSpec

_TEXTS = [
    ("小区物业管理混乱", "物业公司不作为，业主多次投诉"),
    ("学校乱收补课费", ""),
    ("公交线路太少", "公交车太少，线路太少，等车太久"),
    ("小区电梯故障", "电梯经常故障"),
]


def _documents():
    return [classify.document_from_message(*text) for text in _TEXTS]


def _sklearn_views(documents, specs):
    """The same views built with scikit-learn's vectorisers, side by side."""
    blocks = []
    for spec in specs:
        texts = [getattr(d, spec.field)[: spec.limit or None] for d in documents]
        if spec.analyzer == "char":
            options = {"analyzer": "char", "lowercase": False}
        else:
            options = {"tokenizer": str.split, "token_pattern": None, "lowercase": False}
        vectorizer = TfidfVectorizer(
            ngram_range=(spec.low, spec.high), sublinear_tf=True, min_df=spec.min_df, **options
        )
        blocks.append(spec.weight * vectorizer.fit_transform(texts).toarray())
    return np.hstack(blocks)


def test_views_equal_scikit_learn_tfidf_side_by_side():
    documents = _documents() * 2 + [classify.document_from_message("陌生 的 话", "")]
    specs = [
        ViewSpec("words", "words", "word", 1, 2, min_df=1),
        ViewSpec("chars", "chars", "char", 1, 3, weight=0.5, min_df=1),
        ViewSpec("head", "chars", "char", 1, 2, min_df=1, limit=4),
        ViewSpec("words3", "words", "word", 2, 3, min_df=2),
        ViewSpec("chars2", "chars", "char", 2, 3, min_df=3),
    ]
    rows = FeatureSpace.fit(specs, documents).transform(documents)
    ours = sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape).toarray()
    expected = _sklearn_views(documents, specs)
    # Columns are ordered by integer key rather than by string: compare sorted row values.
    assert ours.shape == expected.shape
    assert np.sort(ours, axis=1) == pytest.approx(np.sort(expected, axis=1), abs=1e-6)
    assert ours @ ours.T == pytest.approx(expected @ expected.T, abs=1e-6)


def test_character_keys_cover_any_code_point_and_stay_within_a_text():
    texts = ["a\U0010ffff😀", "", "物业"]
    space = FeatureSpace.fit(
        [ViewSpec("c", "chars", "char", 1, 3, min_df=1)],
        [classify.Document("", text) for text in texts],
    )
    # 3 + 2 + 1 grams of the first text, 2 + 1 of the last: none spans two texts.
    assert space.n_features == 9
    rows = space.transform([classify.Document("", text) for text in texts])
    assert np.diff(rows.indptr).tolist() == [6, 0, 3]


def test_min_df_drops_rare_grams_and_unknown_grams_are_ignored():
    documents = _documents()
    space = FeatureSpace.fit([ViewSpec("words", "words", "word", 1, 1, min_df=2)], documents)
    assert "公交" not in space.views[0].words  # only in one document
    assert "小区" in space.views[0].words
    assert space.n_features == len(space.views[0].words)
    rows = space.transform([classify.document_from_message("完全陌生的词语", "")])
    assert rows.shape[0] == 1 and len(rows.data) == 0


def test_dot_gives_zero_for_empty_rows_between_filled_ones():
    documents = _documents()
    space = FeatureSpace.fit([ViewSpec("chars", "chars", "char", 1, 1, min_df=1)], documents)
    empty = classify.Document("", "")
    rows = space.transform([empty, documents[0], empty, empty, documents[1], empty])
    weights = np.random.default_rng(0).random((space.n_features, 3))
    dense = sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape)
    assert rows.dot(weights) == pytest.approx(dense @ weights)
    assert not rows.dot(weights)[[0, 2, 3, 5]].any()


def test_feature_space_survives_the_array_round_trip():
    documents = _documents()
    space = FeatureSpace.fit(classify.DEFAULT_VIEWS, documents)
    again = FeatureSpace.from_arrays(space.specs(), space.to_arrays())
    first, second = space.transform(documents), again.transform(documents)
    assert np.array_equal(first.indices, second.indices)
    assert np.array_equal(first.indptr, second.indptr)
    assert first.data == pytest.approx(second.data)
