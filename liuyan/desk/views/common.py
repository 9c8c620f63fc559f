"""What every desk view shares: the staff check, running a service, and redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liuyan.board.access import DESK_ORDER, staff_scope
from liuyan.board.models import Message
from liuyan.board.refusals import describe_refusal
from liuyan.board.selectors import deadlines_without_holiday_data, open_deadlines_in_year
from liuyan.core.lifecycle import LifecycleError
from liuyan.directory.holidays import missing_calendar_years
from liuyan.directory.models import Membership
from liuyan.web.inputs import parse_id
from liuyan.web.redirects import safe_next_path

DESK_HOME = {
    "moderator": "desk:screening",
    "unit": "desk:inbox",
    "leader": "desk:leader",
    "operator": "desk:operator",
}


def desk_view(desk: str | None = None, *, post: bool = False):
    """Sign-in required (the staff sign-in, with its second factor), then a staff membership
    for `desk` (any desk when None); `request.scope` carries what the user may see. Answers
    are never cached: they show private messages and contact details."""

    def decorate(view: Callable):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "accounts:staff_login")
            scope = staff_scope(request.user)
            if not scope.desks or (desk is not None and not scope.has(desk)):
                raise PermissionDenied(_("This page is for staff of another desk."))
            request.scope, request.desk = scope, desk
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return require_POST(wrapped) if post else wrapped

    return decorate


def warn_about_calendar(request, message_id: int) -> None:
    """After a step that set deadlines: warn the staff member who set one that falls in a year
    without holiday data (counted Monday to Friday, it may land on a holiday)."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    for deadline in deadlines_without_holiday_data(message)[:1]:
        day = timezone.localtime(deadline)
        messages.warning(
            request,
            _(
                "The deadline %(date)s falls in %(year)d, which has no holiday data: it was "
                "counted Monday to Friday and may fall on a public holiday. Check the date; "
                "an administrator should enter %(year)d's holidays."
            )
            % {"date": day.strftime("%Y-%m-%d"), "year": day.year},
        )


def calendar_warnings(user) -> list[str]:
    """For administrators' pages: this year or next without holiday data, and how many open
    deadlines already fall in it."""
    if not (user.is_superuser or Membership.objects.filter(user=user, role="admin").exists()):
        return []
    return [
        _(
            "%(year)d has no holiday data: %(count)d open deadlines in it were counted Monday "
            "to Friday. Enter its holidays and make-up working days, then add the year."
        )
        % {"year": year, "count": open_deadlines_in_year(year)}
        for year in missing_calendar_years()
    ]


def perform(request, call: Callable, *, done: str) -> bool:
    """Run one service call; say what happened, or why the step was refused."""
    try:
        call()
    except (ValidationError, LifecycleError) as error:
        messages.error(request, describe_refusal(error))
        return False
    messages.success(request, done)
    return True


def perform_form(request, form, call: Callable[[dict], object], *, done) -> bool:
    """Run `call(cleaned_data)` if `form` is valid (see `perform`), else say what was wrong.
    `done` is the success message, or a function of the cleaned data that gives it."""
    if not form.is_valid():
        form_refused(request, form)
        return False
    data = form.cleaned_data
    return perform(request, lambda: call(data), done=done(data) if callable(done) else done)


def seen(request) -> int | None:
    """The version of the message the page showed (its hidden `seen` field), for the service
    to refuse a repeated or stale submit; None when the form sent none."""
    return parse_id(request.POST.get("seen"))


def form_refused(request, form) -> None:
    """A form that did not validate: its errors as one message (the page is redirected)."""
    texts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        texts.append(f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
    messages.error(request, " ".join(texts))


def back(request, fallback: str, *args):
    """Redirect to where the form was (a same-site `next`), else to `fallback`."""
    return redirect(safe_next_path(request, reverse(fallback, args=args)))


def home(request):
    """`/desk/`: each staff member lands on the desk of their first role."""

    @desk_view()
    def route(request):
        for desk in DESK_ORDER:
            if request.scope.has(desk):
                return redirect(DESK_HOME[desk])
        raise PermissionDenied  # pragma: no cover - desk_view already refused

    return route(request)


def render_desk(request, template: str, context: dict, *, partial: str | None = None):
    """Render a desk page, or only `partial` when htmx asks for a fragment."""
    context = {
        "scope": request.scope,
        "desk": request.desk,
        "calendar_warnings": calendar_warnings(request.user),
        **context,
    }
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)
