"""The audit trail in words: 交办留言 20261204000005 给 长沙市住房和城乡建设局, not
`desk:dispatch {'status': 302}`.

Entries keep their codes (the action is a view name or a sign-in event, the object a kind and
an id); this module turns a page of them into sentences when they are shown. The apps that own
the actions and objects register their words here from their `ready()` (accounts sits below
them and imports none of them): `register_actions` maps action codes to sentence templates,
`register_objects` names objects of one kind by id, in one query for a whole page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liuyan.directory.models import Unit

from .models import AuditEntry

# action code → sentence; placeholders: {object} (the named object), {units}, {level},
# {decision}, {username}, {reason}.
_ACTIONS: dict[str, Promise | str] = {
    "sign_in": _("Signed in"),
    "sign_out": _("Signed out"),
    "sign_in_failed": _("Failed to sign in as {username}"),
    "sign_in_locked": _("Sign-in locked for {username}"),
    "second_factor_failed": _("Entered a wrong authenticator code"),
    "second_factor_required": _("Was asked for the second factor"),
    "reset_authenticator": _("Reset the authenticator of {object}"),
    "audit_export": _("Exported the audit trail"),
    "accounts:profile": _("Changed their profile"),
    "accounts:change_password": _("Changed their password"),
}

ROLE_WORDS: dict[str, Promise] = {
    "superuser": _("superuser"),
    "staff": _("staff"),
    "admin": _("administrator"),
    "moderator": _("moderator"),
    "handler": _("unit handler"),
    "head": _("unit head"),
    "leader": _("leader"),
    "operator": _("hotline operator"),
}

ObjectNamer = Callable[[list[str]], Mapping[str, str]]
_NAMERS: dict[str, ObjectNamer] = {}
_CODES: dict[str, Mapping[str, Any]] = {}  # field → {code: words}, e.g. level → 挂牌督办

# POST fields whose values are ids or codes (never free text) and that the middleware keeps in
# an entry's detail, so the sentence can say to whom a message went.
UNIT_FIELDS = ("lead_unit", "co_units", "to_unit", "units")
CODE_FIELDS = ("level", "decision", "reason")


def register_actions(actions: Mapping[str, Promise | str]) -> None:
    _ACTIONS.update(actions)


def register_codes(field: str, words: Mapping[str, Any]) -> None:
    """The words of the codes one of CODE_FIELDS takes (supervision levels, reject reasons)."""
    _CODES[field] = words


def _code_words(field: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    return str(_CODES.get(field, {}).get(value, value))


def register_objects(kind: str, namer: ObjectNamer) -> None:
    """`namer(ids)` returns {id: name} for the objects of `kind` (the kind the audit trail reads
    from a URL: `message` for message_id)."""
    _NAMERS[kind] = namer


def _unit_names(ids: Iterable[str]) -> dict[str, str]:
    numbers = [int(i) for i in ids if str(i).isdigit()]
    return {
        str(pk): name for pk, name in Unit.objects.filter(pk__in=numbers).values_list("pk", "name")
    }


@dataclass(frozen=True)
class Described:
    entry: AuditEntry
    action: str
    roles: str


def roles_in_words(roles: str) -> str:
    words = [str(ROLE_WORDS.get(code, code)) for code in roles.split(",") if code]
    return "、".join(words)


def _unit_ids(detail: dict) -> list[str]:
    ids: list[str] = []
    for name in UNIT_FIELDS:
        value = detail.get(name)
        ids.extend(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return ids


def describe(entries: Iterable[AuditEntry]) -> list[Described]:
    """Each entry with its action and its user's roles in words; a few queries per page."""
    entries = list(entries)
    wanted: dict[str, set[str]] = {}
    unit_ids: set[str] = set()
    for entry in entries:
        if entry.object_type and entry.object_id:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        if isinstance(entry.detail, dict):
            unit_ids.update(_unit_ids(entry.detail))
    names = {kind: _NAMERS[kind](sorted(ids)) for kind, ids in wanted.items() if kind in _NAMERS}
    units = _unit_names(unit_ids)
    return [
        Described(entry, _sentence(entry, names, units), roles_in_words(entry.roles))
        for entry in entries
    ]


def _sentence(entry: AuditEntry, names: dict[str, Mapping[str, str]], units: dict) -> str:
    detail: dict[str, Any] = entry.detail if isinstance(entry.detail, dict) else {}
    object_name = names.get(entry.object_type, {}).get(entry.object_id) or (
        f"{entry.object_type} #{entry.object_id}" if entry.object_type else ""
    )
    template = _ACTIONS.get(entry.action)
    if template is None and entry.action.startswith("admin:"):
        template = (
            _("Changed {object} in the admin site")
            if object_name
            else _("Worked in the admin site")
        )
    if template is None:
        return entry.action  # an action no app put into words: its code, not nothing
    lead = [
        units.get(str(i), "") for i in _as_list(detail.get("lead_unit") or detail.get("to_unit"))
    ]
    others = [
        units.get(str(i), "") for i in _as_list(detail.get("co_units") or detail.get("units"))
    ]
    unit_words = "、".join(u for u in lead if u)
    if others and any(others):
        co = "、".join(u for u in others if u)
        unit_words = (
            gettext("{lead}, co-handled by {co}").format(lead=unit_words, co=co)
            if unit_words
            else co
        )
    sentence = str(template).format(
        object=object_name,
        units=unit_words or "—",
        level=_code_words("level", detail.get("level")),
        decision=_code_words("decision", detail.get("decision")),
        reason=_code_words("reason", detail.get("reason")),
        username=detail.get("username", entry.username),
    )
    status = detail.get("status")
    if isinstance(status, int) and status >= 400:
        sentence += gettext(" (not done: the page answered {status})").format(status=status)
    return sentence


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]
