"""The numpy TF-IDF views against scikit-learn's, which the model used to be fitted with."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from liuyan.insight import classify, features
from liuyan.insight.features import FeatureSpace, ViewSpec

_TEXTS = [
    ("小区物业管理混乱", "物业公司不作为，业主多次投诉"),
    ("学校乱收补课费", ""),
    ("公交线路太少", "公交车太少，线路太少，等车太久"),
    ("小区电梯故障", "电梯经常故障"),
]


def _documents():
    return [classify.document_from_message(*text) for text in _TEXTS]


def test_ngrams_match_scikit_learn_analyzers():
    word = TfidfVectorizer(tokenizer=str.split, token_pattern=None, ngram_range=(1, 2))
    char = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False)
    assert features.word_ngrams("a b c", 1, 2) == word.build_analyzer()("a b c")
    assert features.char_ngrams("物业管理", 1, 3) == char.build_analyzer()("物业管理")


def test_views_equal_scikit_learn_tfidf_side_by_side():
    documents = _documents()
    specs = [
        ViewSpec("words", "words", "word", 1, 2, min_df=1),
        ViewSpec("chars", "chars", "char", 1, 3, weight=0.5, min_df=1),
        ViewSpec("head", "chars", "char", 1, 2, min_df=1, limit=4),
    ]
    rows = FeatureSpace.fit(specs, documents).transform(documents)
    ours = sparse.csr_matrix((rows.data, rows.indices, rows.indptr), shape=rows.shape).toarray()

    def reference(analyzer, texts):
        vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
        return vectorizer.fit_transform(texts).toarray()

    expected = np.hstack(
        [
            reference(lambda s: features.word_ngrams(s, 1, 2), [d.words for d in documents]),
            0.5 * reference(lambda s: features.char_ngrams(s, 1, 3), [d.chars for d in documents]),
            reference(lambda s: features.char_ngrams(s[:4], 1, 2), [d.chars for d in documents]),
        ]
    )
    assert ours == pytest.approx(expected, abs=1e-6)


def test_min_df_drops_rare_grams_and_unknown_grams_are_ignored():
    documents = _documents()
    space = FeatureSpace.fit([ViewSpec("words", "words", "word", 1, 1, min_df=2)], documents)
    assert "公交" not in space.views[0].vocabulary  # only in one document
    assert "故障" not in space.views[0].vocabulary
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
    assert first.data == pytest.approx(second.data)
