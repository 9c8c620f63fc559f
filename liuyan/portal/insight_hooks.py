"""Where the portal's pages meet the search engine and the domain classifier.

`search` turns the search form's values into a call of `liuyan.board.search.search_public`. The
domain classifier is called directly: without a trained artefact it answers None and the form
simply shows no suggestion.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from liuyan.board.search import search_public
from liuyan.directory.models import Domain

from .selectors import PERIOD_DAYS

# --- search ------------------------------------------------------------------------------


def search(cleaned: dict, *, limit: int, offset: int):
    """A SearchPage from liuyan.board.search.search_public for the search form's values."""
    period = cleaned.get("period") or ""
    since = timezone.now() - timedelta(days=PERIOD_DAYS[period]) if period in PERIOD_DAYS else None
    domain = cleaned.get("domain")
    return search_public(
        cleaned["q"].strip(),
        board_id=cleaned.get("board") or None,
        domain_id=domain.pk if domain else None,
        type=cleaned.get("type") or None,
        state=cleaned.get("state") or None,
        since=since,
        limit=limit,
        offset=offset,
    )


# --- classification ----------------------------------------------------------------------


SUGGEST_MIN_CONFIDENCE = 0.5  # below this the classifier is guessing; say nothing


def suggested_domain(title: str, body: str) -> Domain | None:
    """The classifier's first-level domain for the text, or None when there is no trained
    model, or when it is not confident enough to be worth showing."""
    if not (title or "").strip():
        return None
    # Imported here, not with the views: numpy comes with it (a new web process answers its
    # first pages sooner, bench/first_request.py).
    from liuyan.insight import classify

    predictions = classify.predict([(title, body)], settings.LIUYAN_MODELS_DIR, top_k=1)
    if not predictions or predictions[0].confidence < SUGGEST_MIN_CONFIDENCE:
        return None
    return Domain.objects.filter(name=predictions[0].label, level=1).first()
