"""The audit trail: who on the staff did what, when, from where.

`record()` writes one entry explicitly; `AuditMiddleware` writes one for every state-changing
request by a staff member that no view recorded itself; sign-in, sign-out and failures are
recorded from Django's auth signals (see signals.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

from . import selectors
from .audit_words import CODE_FIELDS, UNIT_FIELDS
from .ip import client_ip
from .models import AuditEntry
from .sessions import is_staff_session

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_AUDITED = "_liuyan_audited"
USER_AGENT_LENGTH = AuditEntry._meta.get_field("user_agent").max_length
PATH_LENGTH = AuditEntry._meta.get_field("path").max_length


def _describe(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    meta = getattr(obj, "_meta", None)
    kind = f"{meta.app_label}.{meta.model_name}" if meta else type(obj).__name__
    return kind, str(getattr(obj, "pk", ""))


def record(request_or_user, action: str, obj=None, **detail) -> AuditEntry:
    """Write one audit entry. Pass the request when there is one: it gives IP, path and agent.

    `detail` is stored as JSON; never put passwords, codes or message text in it.
    """
    object_type, object_id = _describe(obj)
    return _write(request_or_user, action, object_type, object_id, detail)


def record_sign_in_lock(
    *, scope: str, shown: str, ip: str | None, kind: str, at: datetime, until: datetime
) -> AuditEntry:
    """A sign-in lock switched on. `shown` names the account: a username, or for a citizen a
    masked number only."""
    return AuditEntry.objects.create(
        action=selectors.SIGN_IN_LOCKED,
        username=shown[:150],
        ip_address=ip,
        at=at,
        detail={
            "kind": kind,
            "scope": scope,
            "username": shown,
            "until": until.isoformat(timespec="seconds"),
        },
    )


def _write(request_or_user, action: str, object_type: str, object_id: str, detail) -> AuditEntry:
    entry = AuditEntry(
        action=action[:80],
        object_type=object_type[:60],
        object_id=object_id[:64],
        at=timezone.now(),
    )
    if isinstance(request_or_user, HttpRequest):
        request = request_or_user
        user = getattr(request, "user", None)
        entry.method = request.method or ""
        entry.path = request.get_full_path()[:PATH_LENGTH]
        entry.ip_address = client_ip(request)
        entry.user_agent = request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH]
        setattr(request, _AUDITED, True)
    else:
        user = request_or_user
    if user is not None and getattr(user, "is_authenticated", False):
        entry.user = user
        entry.username = user.get_username()
        entry.roles = selectors.role_summary(user)[:200]
    else:
        entry.username = str(detail.get("username", ""))[:150]
    entry.detail = detail
    entry.save()
    return entry


def _object_from_route(request) -> tuple[str, str]:
    """The object a URL is about, read from its arguments (message_id=5 → message, 5)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    for name, value in match.kwargs.items():
        if name == "object_id":  # the Django admin: url_name is e.g. board_message_change
            return match.url_name.rsplit("_", 1)[0].replace("_", ".", 1), str(value)
        if name in {"pk", "id"}:
            return match.url_name or "", str(value)
        if name.endswith("_id") or name.endswith("_pk"):
            return name.rsplit("_", 1)[0], str(value)
    return "", ""


def _action_from_route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "request"


_ID_OR_CODE = re.compile(r"^(?:[0-9]{1,12}|[a-z_]{1,40})$")


def _chosen_ids(request) -> dict:
    """The units and codes a staff form chose (lead_unit=5, level=listed): ids and codes only,
    never free text, so the trail can say to whom a message went (audit_words)."""
    chosen: dict = {}
    for name in (*UNIT_FIELDS, *CODE_FIELDS):
        values = [v for v in request.POST.getlist(name)[:20] if _ID_OR_CODE.match(v)]
        if values:
            chosen[name] = values if name in ("co_units", "units") else values[0]
    return chosen


class AuditMiddleware:
    """Records every state-changing request by a signed-in staff member."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._should_record(request):
            object_type, object_id = _object_from_route(request)
            detail: dict = {"status": response.status_code, **_chosen_ids(request)}
            _write(request, _action_from_route(request), object_type, object_id, detail)
        return response

    @staticmethod
    def _should_record(request) -> bool:
        if request.method not in STATE_CHANGING_METHODS or getattr(request, _AUDITED, False):
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and is_staff_session(request))
