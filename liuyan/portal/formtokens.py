"""One-time tokens for the write form, so a double click or a resent POST makes one message.

The token is issued into the session when the form is shown, and consumed inside the transaction
that creates the message. Two requests that both loaded the session before either committed would
each see the token in their own copy, so consuming re-reads the session row from the database
under a row lock (SQLite's IMMEDIATE transactions serialise writers the same way): the second
request finds the token gone and creates nothing.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SESSION_KEY = "portal_form_tokens"
KEEP = 10  # a citizen may have a few forms open in tabs; older tokens lapse


def issue(request) -> str:
    token = secrets.token_urlsafe(18)
    live = request.session.get(SESSION_KEY, [])[-(KEEP - 1) :]
    request.session[SESSION_KEY] = [*live, token]
    return token


def is_live(request, token: str) -> bool:
    return bool(token) and token in request.session.get(SESSION_KEY, [])


def consume(request, token: str) -> bool:
    """Remove the token and say whether it was still there. Call inside transaction.atomic."""
    stored = _stored_tokens(request)
    if not token or token not in stored:
        _forget(request, token)
        return False
    _forget(request, token)
    request.session.save()  # written inside the caller's transaction, under its lock
    return True


def _stored_tokens(request) -> list[str]:
    session = request.session
    if isinstance(session, DatabaseSessionStore) and session.session_key:
        row = (
            session.get_model_class()
            .objects.select_for_update()
            .filter(session_key=session.session_key)
            .first()
        )
        if row is None:
            return []
        return session.decode(row.session_data).get(SESSION_KEY, [])
    return session.get(SESSION_KEY, [])


def _forget(request, token: str) -> None:
    live = request.session.get(SESSION_KEY, [])
    if token in live:
        request.session[SESSION_KEY] = [t for t in live if t != token]


def restore(request, token: str) -> None:
    """Give the token back when the send failed and its transaction rolled back."""
    live = request.session.get(SESSION_KEY, [])
    if token and token not in live:
        request.session[SESSION_KEY] = [*live, token]
