"""What liuyan keeps in a signed-in session, and the helpers that read and write it."""

from __future__ import annotations

import time

from . import selectors

STAFF = "liuyan.staff"  # True when the signed-in user held a staff role at sign-in
AUTH_LEVEL = "liuyan.auth"  # how the user proved who they are: one of the levels below
LAST_SEEN = "liuyan.last_seen"  # epoch seconds of the last staff request (idle timeout)
PENDING_STAFF = "liuyan.pending_staff"  # password checked, second factor still to come

BY_CODE = "code"
BY_PASSWORD = "password"  # noqa: S105  (a sign-in method, not a secret)
BY_STAFF_PASSWORD = "staff_password"  # noqa: S105
BY_TWO_FACTORS = "two_factors"

PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def mark_signed_in(request, level: str) -> None:
    request.session[AUTH_LEVEL] = level
    request.session[LAST_SEEN] = time.time()


def is_staff_session(request) -> bool:
    """Whether the request belongs to a staff member; worked out once per session."""
    session = request.session
    if STAFF not in session:
        session[STAFF] = selectors.is_staff_user(request.user)
    return bool(session[STAFF])


def remember_pending_staff(request, user, next_url: str) -> None:
    request.session[PENDING_STAFF] = {"user": user.pk, "at": time.time(), "next": next_url}


def pending_staff(request) -> dict | None:
    """The half-finished staff sign-in of this browser, if it is still fresh."""
    pending = request.session.get(PENDING_STAFF)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


def forget_pending_staff(request) -> None:
    request.session.pop(PENDING_STAFF, None)
