"""Form widgets shared by the citizen and staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise


class SearchableSelect(forms.Select):
    """A select (grouped into <optgroup>s where its choices are) with a search box in front:
    typing hides the options that do not contain the words (js/option-filter.js, a static file,
    as the Content-Security-Policy wants). Without JavaScript the box stays hidden and the
    grouped select works alone."""

    template_name = "web/searchable_select.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, placeholder: str | Promise = ""):
        super().__init__(attrs)
        self.placeholder = placeholder

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["placeholder"] = self.placeholder
        return context
