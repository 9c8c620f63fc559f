"""Optional help from `liuyan.insight` (domain classifier, unit routing, reply quality).

Those modules, and their trained artefacts under settings.LIUYAN_MODELS_DIR, arrive separately
and may be absent or may fail on an odd input; the desk then shows the rule-based suggestions
alone. Nothing here decides anything: a moderator always chooses.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

from django.conf import settings

from liuyan.directory.models import Domain, Unit

from .selectors import QualityHint, UnitSuggestion

log = logging.getLogger(__name__)


def _module(name: str):
    try:
        return importlib.import_module(f"liuyan.insight.{name}")
    except ImportError:
        return None


def _first_callable(module, names: Iterable[str]):
    for name in names:
        function = getattr(module, name, None)
        if callable(function):
            return function
    return None


def _labels(results) -> list[str]:
    """Accept the shapes a predictor may return: labels, (label, score) pairs, or objects."""
    labels = []
    for item in results or []:
        if isinstance(item, str | int):
            labels.append(str(item))
        elif isinstance(item, tuple | list) and item:
            labels.append(str(item[0]))
        else:
            for attribute in ("unit_id", "label", "name", "domain", "unit"):
                if getattr(item, attribute, None) is not None:
                    labels.append(str(getattr(item, attribute)))
                    break
    return labels


def _call(function, text: str):
    try:
        return function(text)
    except Exception:  # an optional helper must never break the moderator's page
        log.exception("insight helper %s failed", getattr(function, "__name__", function))
        return []


def suggested_domains(title: str, body: str, *, limit: int = 3) -> list[Domain]:
    """First-level domains the trained classifier proposes, best first (none without a model)."""
    classify = _module("classify")
    if classify is None or not hasattr(classify, "predict"):
        return []
    try:
        predictions = classify.predict([(title, body)], settings.LIUYAN_MODELS_DIR, top_k=limit)
    except Exception:  # an optional helper must never break the moderator's page
        log.exception("domain classifier failed")
        return []
    if not predictions:
        return []
    names = [label for label, _ in predictions[0].top_k] or [predictions[0].label]
    by_name = {d.name: d for d in Domain.objects.filter(name__in=names, parent=None)}
    return [by_name[name] for name in names if name in by_name]


def suggested_units(text: str, *, candidates: list[int], limit: int = 3) -> list[UnitSuggestion]:
    routing = _module("routing")
    function = routing and _first_callable(routing, ("suggest_units", "route", "predict_units"))
    if function is None:
        return []
    found = []
    for label in _labels(_call(function, text)):
        unit = (
            Unit.objects.filter(pk=int(label), is_active=True).first()
            if label.isdigit()
            else Unit.objects.filter(name=label, is_active=True, pk__in=candidates).first()
        )
        if unit is not None and unit not in [s.unit for s in found]:
            found.append(UnitSuggestion(unit, "insight"))
        if len(found) == limit:
            break
    return found


def quality_hints(reply_body: str, message_body: str) -> list[QualityHint]:
    quality = _module("quality")
    function = quality and _first_callable(quality, ("reply_hints", "hints", "check_reply"))
    if function is None:
        return []
    try:
        result = function(reply_body, message_body)
    except TypeError:
        result = _call(function, reply_body)
    except Exception:
        log.exception("insight quality check failed")
        return []
    items = getattr(result, "hints", result) or []
    return [QualityHint(str(getattr(item, "text", item))) for item in items]
