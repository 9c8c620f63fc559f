"""Report pages. Views parse the request, call one selector, and render."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liuyan.board.access import staff_scope

from . import selectors

PUBLIC_ISSUES_SHOWN = 20


@require_GET
def public_hot_issues(request: HttpRequest) -> HttpResponse:
    """Computed from public messages only: nothing private shapes this list."""
    issues = selectors.public_issues_with_messages(limit=PUBLIC_ISSUES_SHOWN)
    return render(request, "reports/hot_public.html", {"issues": issues})


@require_GET
def staff_hot_issues(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "accounts:staff_login")
    if not selectors.may_see_staff_hot_issues(request.user):
        raise PermissionDenied(_("Hot issues of all messages are for moderators and leaders."))
    issues = list(selectors.latest_issues(public=False))
    context = {
        "issues": selectors.issues_for_reader(request.user, issues),
        "scope": staff_scope(request.user),
        "desk": None,
    }
    return render(request, "reports/hot_staff.html", context)
