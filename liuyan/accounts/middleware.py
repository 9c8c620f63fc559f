"""Session rules for staff: an idle timeout, and the second factor for powerful roles."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import audit, selectors
from .sessions import (
    AUTH_LEVEL,
    BY_TWO_FACTORS,
    LAST_SEEN,
    is_staff_session,
)

# Writing the session on every request costs a database write; once a minute is precise enough
# for a timeout counted in tens of minutes.
LAST_SEEN_RESOLUTION = 60


def _to_staff_login(request, notice: str):
    messages.warning(request, notice)
    url = reverse("accounts:staff_login")
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class StaffIdleTimeoutMiddleware:
    """Signs staff out after LIUYAN_STAFF_IDLE_MINUTES without a request.

    A back-office screen left open on a shared office computer is the risk; citizens keep the
    normal session age, since their sessions can do far less.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and is_staff_session(request):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            idle = settings.LIUYAN_STAFF_IDLE_MINUTES * 60
            if last_seen is not None and now - last_seen > idle:
                audit.record(
                    request, "idle_timeout", idle_minutes=settings.LIUYAN_STAFF_IDLE_MINUTES
                )
                request._liuyan_sign_out_reason = "idle_timeout"
                logout(request)
                return _to_staff_login(
                    request, _("You were signed out after a period of inactivity.")
                )
            if last_seen is None or now - last_seen > LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Ends a session of a staff member that did not pass both factors.

    The staff sign-in asks every staff role for the authenticator code and the citizen forms
    refuse staff accounts; this catches the remaining cases: someone given a staff role while
    signed in as a citizen, and sessions with no recorded sign-in method at all (made before
    this rule, or by a login() that forgot to record it), which count as one factor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        level = request.session.get(AUTH_LEVEL) if signed_in else None
        if signed_in and level != BY_TWO_FACTORS and selectors.needs_second_factor(request.user):
            audit.record(request, "second_factor_required")
            request._liuyan_sign_out_reason = "second_factor_required"
            logout(request)
            return _to_staff_login(
                request, _("Your role needs the authenticator code. Please sign in again.")
            )
        return self.get_response(request)
