"""Domain classification (一级分类) of messages.

Model: TF-IDF views of a message side by side (liuyan.insight.features), then linear weights
per domain fitted by liuyan.insight.train:

* word view: rjieba words (stop words removed), unigrams and bigrams;
* character view: character 1-3-grams of the same text with all spaces removed;
* head view: character 1-3-grams of the first characters only, where the title stands. Titles
  name the domain more plainly than the body; the shared data's pre-segmented rows have no
  separate title, but theirs comes first too, so one view works for both forms of input.

The shared training data comes in two forms, raw messages and messages already segmented with
stop words removed. The word view reads both the same way (space-separated words); the character
views are immune to the segmentation altogether, and they still catch place names and new words
that the segmenter splits badly.

Prediction needs numpy only. Loading used to import scikit-learn (0.6-1.4 s by itself) and
joblib; a model is now an ``.npz`` of plain arrays whose vocabularies are single joined strings,
so a cold load in a fresh process stays well under a second.

Confidence is a softmax over the linear scores, with a temperature fitted on held-out rows at
training time so that "0.8" means right about eight times in ten.

Artefacts live in a models directory as ``classifier-v<N>.npz`` plus ``classifier-v<N>.json``
(the manifest: version, trained_at, labels, metrics). :func:`load_classifier` picks the highest
complete version, caches it per process and returns None when there is none, in which case the
platform simply makes no suggestion. Artefacts of the earlier hashed format
(``classifier-v<N>.joblib``) are no longer read, but their version numbers are never reused.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from liuyan.insight.features import FeatureSpace, ViewSpec
from liuyan.insight.text import char_text, join_title_body, normalize, segment

ARTEFACT_PREFIX = "classifier-v"
ARTEFACT_SUFFIX = ".npz"
_ARTEFACT_NAME = re.compile(r"^classifier-v(\d+)\.npz$")
# Any artefact file, of this format or an earlier one: new versions number past all of them.
_ANY_ARTEFACT_NAME = re.compile(r"^classifier-v(\d+)\.(?:npz|joblib|json)$")
FORMAT = 2

# Chosen by 5-fold cross-validation on the training part of the fixed split
# (bench/insight_classify.py), never on its test part. Out-of-fold macro-F1 with LinearSVC:
# words + chars 0.929; adding the head view 0.935 (first 24 or 32 characters alike; weighing it
# 1.5 fell to 0.929); balanced class weights on top 0.939. min_df 3 scored as min_df 2 (0.939)
# with a smaller vocabulary, which is what lookups and loading cost.
# Weighing the word view 1.5 against the character views lifts out-of-fold macro-F1 on two fold
# splits alike (seed 20201 / seed 7): 1.0 0.938 / 0.939, 1.3 0.941 / 0.941, 1.5 0.942 / 0.942,
# 2.0 0.942 / 0.940. A small gain, but the same on both splits and peaking at the same weight.
# Tried on the same folds without gain (seed 20201): character 1-4-grams in the character view,
# head view or both 0.938-0.940; characters of the stop-word-free words, so that raw messages
# read like the segmented rows, 0.937-0.938; head weight 0.7 0.940. A taxonomy view
# (liuyan/directory/data/domains.csv: per 一级 domain, log counts of its 二级/三级 names and
# their parts split at 与/和/及/、 in the message, raw or L2-normalised) fell to 0.934-0.938 at
# weight 0.3 and 1 (61% of the training rows contain at least one of the names).
HEAD_CHARS = 24
MIN_DF = 3
WORDS_WEIGHT = 1.5
DEFAULT_VIEWS = (
    ViewSpec("words", "words", "word", 1, 2, weight=WORDS_WEIGHT, min_df=MIN_DF),
    ViewSpec("chars", "chars", "char", 1, 3, min_df=MIN_DF),
    ViewSpec("head", "chars", "char", 1, 3, min_df=MIN_DF, limit=HEAD_CHARS),
)


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
    return Document(words=segment(text, normalized=True), chars=char_text(text).lower())


def document_from_segmented(segmented: str) -> Document:
    """A row of 分词文本: already segmented, stop words removed."""
    text = normalize(segmented)
    return Document(words=text.lower(), chars=char_text(text).lower())


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass
class DomainClassifier:
    """A trained model: features, linear weights per label and the confidence temperature."""

    features: FeatureSpace
    labels: list[str]
    weights: np.ndarray  # (n_features, n_labels) float32
    intercept: np.ndarray  # (n_labels,)
    temperature: float = 1.0
    manifest: dict[str, Any] = field(default_factory=dict)

    def scores(self, documents: Sequence[Document]) -> np.ndarray:
        return self.features.transform(documents).dot(self.weights) + self.intercept

    def probabilities(self, documents: Sequence[Document]) -> np.ndarray:
        return softmax(self.scores(documents), self.temperature)

    def predict_documents(self, documents: Sequence[Document], top_k: int = 3) -> list[Prediction]:
        if not documents:
            return []
        probabilities = self.probabilities(documents)
        orders = np.argsort(-probabilities, axis=1)[:, :top_k]  # one call, not one per message
        predictions = []
        for row, order in zip(probabilities.tolist(), orders.tolist(), strict=True):
            ranked = [(self.labels[i], row[i]) for i in order]
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
    """Loadable versions (model file and manifest both present), oldest first."""
    if not models_dir.is_dir():
        return []
    versions = []
    for path in models_dir.iterdir():
        match = _ARTEFACT_NAME.match(path.name)
        if match and path.with_suffix(".json").exists():
            versions.append(int(match.group(1)))
    return sorted(versions)


def _next_version(models_dir: Path) -> int:
    numbers = [
        int(match.group(1))
        for path in models_dir.iterdir()
        if (match := _ANY_ARTEFACT_NAME.match(path.name))
    ]
    return max(numbers, default=0) + 1


def artefact_path(models_dir: Path, version: int) -> Path:
    return models_dir / f"{ARTEFACT_PREFIX}{version}{ARTEFACT_SUFFIX}"


def save_classifier(model: DomainClassifier, models_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write the next version; the manifest goes last so readers never see half an artefact."""
    models_dir.mkdir(parents=True, exist_ok=True)
    version = _next_version(models_dir)
    path = artefact_path(models_dir, version)
    manifest = {**manifest, "version": version, "file": path.name, "format": FORMAT}
    arrays = {
        # JSON text in a 0-d array: the artefact carries its own description of the views, and
        # loading needs no pickle (np.load refuses object arrays by default).
        "meta": np.array(
            json.dumps(
                {"labels": model.labels, "views": model.features.specs()}, ensure_ascii=False
            )
        ),
        "weights": np.ascontiguousarray(model.weights, dtype=np.float32),
        "intercept": np.asarray(model.intercept, dtype=np.float32),
        "temperature": np.array(model.temperature, dtype=np.float64),
        **model.features.to_arrays(),
    }
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:  # a file object: np.savez would append ".npz" to a name
        # numpy's stub cannot tell that no array is named "allow_pickle", its only keyword.
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    temporary.replace(path)
    manifest_tmp = path.with_suffix(".json.tmp")
    manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    manifest_tmp.replace(path.with_suffix(".json"))
    model.manifest = manifest
    return path


def read_classifier(path: Path) -> DomainClassifier:
    with np.load(path, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        features = FeatureSpace.from_arrays(meta["views"], arrays)
        weights = arrays["weights"]
        intercept = arrays["intercept"].astype(np.float64)
        temperature = float(arrays["temperature"])
    manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return DomainClassifier(
        features=features,
        labels=list(meta["labels"]),
        weights=weights,
        intercept=intercept,
        temperature=temperature,
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


# --- what the figures say ------------------------------------------------------------------

# What a classifier learnt from, recorded in its manifest as "training_data". The demo's
# messages come from a few hundred templates (liuyan.demo), so a model trained and measured on
# them scores about 1.0, which says nothing about how it does on what real people write.
GENERATED_TEXT = "generated-demo-text"
LABELLED_MESSAGES = "labelled-messages"


@dataclass(frozen=True)
class ModelFigures:
    """The held-out figures of one trained classifier, and whether they mean anything."""

    version: int
    macro_f1: float | None  # None: too few messages per domain to hold any out
    accuracy: float | None
    trained_on_generated_text: bool


def figures_of(model: DomainClassifier) -> ModelFigures:
    manifest = model.manifest
    held_out = manifest.get("metrics", {}).get("held_out", {})
    return ModelFigures(
        version=int(manifest.get("version", 0)),
        macro_f1=held_out.get("macro_f1"),
        accuracy=held_out.get("accuracy"),
        trained_on_generated_text=manifest.get("training_data") == GENERATED_TEXT,
    )


def model_figures(models_dir: str | Path) -> ModelFigures | None:
    """Figures of the newest classifier in ``models_dir``, or None when there is none."""
    model = load_classifier(models_dir)
    return figures_of(model) if model is not None else None
