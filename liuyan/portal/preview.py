"""The public version of what the citizen typed, with every masked span marked for the preview.

The text outside the marks, plus the masked values inside them, is exactly what
`textrules.mask_personal_data` (and so `services.submit_message`) will publish.
"""

from __future__ import annotations

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from liuyan.insight.masking import find_personal_data, mask_value


def masked_preview(text: str) -> SafeString:
    hits = find_personal_data(text)
    parts, cursor = [], 0
    for hit in hits:
        parts.append(conditional_escape(text[cursor : hit.start]))
        parts.append(
            format_html(
                '<mark class="masked">{}<span class="visually-hidden"> ({})</span></mark>',
                mask_value(hit.kind, hit.text),
                _("hidden from the public"),
            )
        )
        cursor = hit.end
    parts.append(conditional_escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped or format_html
