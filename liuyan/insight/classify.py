"""Domain classification (一级分类) of messages.

Model: two TF-IDF views of a message joined side by side, then a linear SVM.

* word view: rjieba words (stop words removed), unigrams and bigrams;
* character view: character 1-3-grams of the same text with all spaces removed.

The shared training data comes in two forms, raw messages and messages already segmented with
stop words removed. The word view reads both the same way (space-separated words); the character
view is immune to the segmentation altogether, and it still catches place names and new words
that the segmenter splits badly.

Both views use feature hashing instead of a stored vocabulary: an artefact is then a few numpy
arrays, which loads in milliseconds, and there is no vocabulary of hundreds of thousands of
strings to unpickle. 2^18 buckets per view scored the same as 2^20 and as a full vocabulary
on the held-out split (bench/insight_classify.py) and keeps the artefact near 15 MB.

Confidence is a softmax over the SVM scores, with a temperature fitted on held-out rows at
training time so that "0.8" means right about eight times in ten.

Artefacts live in a models directory as ``classifier-v<N>.joblib`` plus ``classifier-v<N>.json``
(the manifest: version, trained_at, labels, metrics). :func:`load_classifier` picks the highest
complete version, caches it per process and returns None when there is none, in which case the
platform simply makes no suggestion.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from liuyan.insight.text import char_text, join_title_body, normalize, segment

ARTEFACT_PREFIX = "classifier-v"
_ARTEFACT_NAME = re.compile(r"^classifier-v(\d+)\.joblib$")
HASH_BUCKETS = 2**18


class Document(NamedTuple):
    """A message prepared for the model: words and characters of the same text."""

    words: str
    chars: str


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    confidence: float
    top_k: list[tuple[str, float]] = field(default_factory=list)


def document_from_message(title: str | None, body: str | None = None) -> Document:
    text = join_title_body(title, body)
    return Document(words=segment(text, normalized=True), chars=char_text(text))


def document_from_segmented(segmented: str) -> Document:
    """A row of 分词文本: already segmented, stop words removed."""
    text = normalize(segmented)
    return Document(words=text.lower(), chars=char_text(text))


def _split_words(text: str) -> list[str]:
    return text.split()


def _word_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="word",
        tokenizer=_split_words,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        n_features=HASH_BUCKETS,
        alternate_sign=False,
        norm=None,
    )


def _char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        lowercase=True,
        n_features=HASH_BUCKETS,
        alternate_sign=False,
        norm=None,
    )


class DocumentFeatures:
    """Hashed word and character TF-IDF of documents, side by side (one sparse row each)."""

    def __init__(self) -> None:
        self.word_tfidf = TfidfTransformer(sublinear_tf=True)
        self.char_tfidf = TfidfTransformer(sublinear_tf=True)

    def _counts(self, documents: Sequence[Document]) -> tuple[sparse.csr_matrix, ...]:
        words = _word_vectorizer().transform([d.words for d in documents])
        chars = _char_vectorizer().transform([d.chars for d in documents])
        return words, chars

    def fit_transform(self, documents: Sequence[Document]) -> sparse.csr_matrix:
        words, chars = self._counts(documents)
        return sparse.hstack(
            [self.word_tfidf.fit_transform(words), self.char_tfidf.fit_transform(chars)],
            format="csr",
        )

    def transform(self, documents: Sequence[Document]) -> sparse.csr_matrix:
        words, chars = self._counts(documents)
        return sparse.hstack(
            [self.word_tfidf.transform(words), self.char_tfidf.transform(chars)], format="csr"
        )


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class DomainClassifier:
    """A trained model: features, linear weights per label and the confidence temperature."""

    features: DocumentFeatures
    labels: list[str]
    # (n_labels, n_features): sparse, since hashed buckets never seen in training weigh zero.
    coef: sparse.csr_matrix
    intercept: np.ndarray  # (n_labels,)
    temperature: float = 1.0
    manifest: dict[str, Any] = field(default_factory=dict)

    def scores(self, documents: Sequence[Document]) -> np.ndarray:
        matrix = self.features.transform(documents)
        return (matrix @ self.coef.T).toarray() + self.intercept

    def probabilities(self, documents: Sequence[Document]) -> np.ndarray:
        return softmax(self.scores(documents), self.temperature)

    def predict_documents(self, documents: Sequence[Document], top_k: int = 3) -> list[Prediction]:
        if not documents:
            return []
        probabilities = self.probabilities(documents)
        predictions = []
        for row in probabilities:
            order = np.argsort(-row)[:top_k]
            ranked = [(self.labels[i], float(row[i])) for i in order]
            predictions.append(Prediction(ranked[0][0], ranked[0][1], ranked))
        return predictions

    def predict(self, texts: Iterable[str | tuple[str, str]], top_k: int = 3) -> list[Prediction]:
        """Predict for plain texts or (title, body) pairs."""
        documents = [
            document_from_message(*item) if isinstance(item, tuple) else document_from_message(item)
            for item in texts
        ]
        return self.predict_documents(documents, top_k=top_k)


# --- artefacts ----------------------------------------------------------------------------


def artefact_versions(models_dir: Path) -> list[int]:
    """Versions with both the model file and its manifest, oldest first."""
    if not models_dir.is_dir():
        return []
    versions = []
    for path in models_dir.iterdir():
        match = _ARTEFACT_NAME.match(path.name)
        if match and path.with_suffix(".json").exists():
            versions.append(int(match.group(1)))
    return sorted(versions)


def artefact_path(models_dir: Path, version: int) -> Path:
    return models_dir / f"{ARTEFACT_PREFIX}{version}.joblib"


def save_classifier(model: DomainClassifier, models_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write the next version; the manifest goes last so readers never see half an artefact."""
    models_dir.mkdir(parents=True, exist_ok=True)
    version = max(artefact_versions(models_dir), default=0) + 1
    path = artefact_path(models_dir, version)
    manifest = {**manifest, "version": version, "file": path.name}
    payload = {
        "labels": model.labels,
        "coef": sparse.csr_matrix(model.coef, dtype=np.float32),
        "intercept": model.intercept.astype(np.float32),
        "temperature": model.temperature,
        "word_idf": model.features.word_tfidf.idf_.astype(np.float32),
        "char_idf": model.features.char_tfidf.idf_.astype(np.float32),
    }
    temporary = path.with_suffix(".joblib.tmp")
    joblib.dump(payload, temporary)
    temporary.replace(path)
    manifest_tmp = path.with_suffix(".json.tmp")
    manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    manifest_tmp.replace(path.with_suffix(".json"))
    model.manifest = manifest
    return path


def _restore_tfidf(idf: np.ndarray) -> TfidfTransformer:
    transformer = TfidfTransformer(sublinear_tf=True)
    transformer.idf_ = idf.astype(np.float64)
    return transformer


def read_classifier(path: Path) -> DomainClassifier:
    payload = joblib.load(path)
    features = DocumentFeatures()
    features.word_tfidf = _restore_tfidf(payload["word_idf"])
    features.char_tfidf = _restore_tfidf(payload["char_idf"])
    manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return DomainClassifier(
        features=features,
        labels=list(payload["labels"]),
        coef=sparse.csr_matrix(payload["coef"]),
        intercept=payload["intercept"],
        temperature=float(payload["temperature"]),
        manifest=manifest,
    )


_cache: dict[tuple[Path, int], DomainClassifier] = {}
_cache_lock = threading.Lock()


def load_classifier(models_dir: str | Path, version: int | None = None) -> DomainClassifier | None:
    """The newest (or the given) classifier in ``models_dir``, loaded once per process.

    Returns None when no complete artefact exists.
    """
    models_dir = Path(models_dir).resolve()
    versions = artefact_versions(models_dir)
    if version is None:
        if not versions:
            return None
        version = versions[-1]
    elif version not in versions:
        return None
    key = (models_dir, version)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = read_classifier(artefact_path(models_dir, version))
        return _cache[key]


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def predict(
    texts: Iterable[str | tuple[str, str]], models_dir: str | Path, top_k: int = 3
) -> list[Prediction] | None:
    """Predictions with the newest model in ``models_dir``, or None when there is no model."""
    model = load_classifier(models_dir)
    if model is None:
        return None
    return model.predict(texts, top_k=top_k)
