"""Names for the audit trail: the serial of the message an entry is about (accounts.audit_words).

Registered from BoardConfig.ready(); each namer answers a whole page of entries in one query.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import F, Model

from liuyan.accounts import audit_words

from .models import (
    REJECT_REASON_LABELS,
    SUPERVISION_LABELS,
    Assignment,
    ExtensionRequest,
    Message,
    Reply,
)


def _serials(model: type[Model], path: str):
    def namer(ids: list[str]) -> Mapping[str, str]:
        numbers = [int(i) for i in ids if i.isdigit()]
        rows = model._default_manager.filter(pk__in=numbers).values_list("pk", F(path))
        return {str(pk): serial for pk, serial in rows}

    return namer


def register() -> None:
    audit_words.register_objects("message", _serials(Message, "serial"))
    audit_words.register_objects("assignment", _serials(Assignment, "message__serial"))
    audit_words.register_objects("reply", _serials(Reply, "message__serial"))
    audit_words.register_objects(
        "request", _serials(ExtensionRequest, "assignment__message__serial")
    )
    audit_words.register_codes("level", {str(k): v for k, v in SUPERVISION_LABELS.items()})
    audit_words.register_codes("reason", {str(k): v for k, v in REJECT_REASON_LABELS.items()})
