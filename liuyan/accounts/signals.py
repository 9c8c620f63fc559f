"""Sign-in, sign-out and failed sign-ins: remembered in the session and the audit trail."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit, selectors
from .sessions import STAFF


@receiver(user_logged_in, dispatch_uid="liuyan.accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    staff = selectors.is_staff_user(user)
    request.session[STAFF] = staff
    if staff:
        audit.record(request, "sign_in")


@receiver(user_logged_out, dispatch_uid="liuyan.accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if request is None or user is None or not selectors.is_staff_user(user):
        return
    # Django sends this before it clears request.user, so the entry names the right person.
    reason = getattr(request, "_liuyan_sign_out_reason", "sign_out")
    audit.record(request, "sign_out", reason=reason)


@receiver(user_login_failed, dispatch_uid="liuyan.accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    audit.record(request, "sign_in_failed", username=username)
