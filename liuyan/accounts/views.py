"""Sign-in pages for citizens (mobile number + SMS code) and staff (password + authenticator),
the profile page, and the audit trail for administrators. Views parse, call one service, render.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

import pyotp
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from liuyan.web.redirects import safe_next_path

from . import audit, audit_words, selectors, services
from .forms import (
    AuditFilterForm,
    AuthenticatorCodeForm,
    ChangePasswordForm,
    CodeSignInForm,
    NewPasswordForm,
    PasswordSignInForm,
    PhoneForm,
    ProfileForm,
    StaffSignInForm,
)
from .ip import client_ip
from .models import User
from .qr import qr_svg
from .sessions import (
    BY_CODE,
    BY_PASSWORD,
    BY_TWO_FACTORS,
    forget_pending_staff,
    mark_signed_in,
    pending_staff,
    remember_pending_staff,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CODE_SENT_TO = "liuyan.code_sent_to"  # session: the number the last code went to
AUDIT_PAGE_SIZE = 50
LOCKS_SHOWN = 500

# --- helpers ------------------------------------------------------------------------------


def _safe_next(request, default: str) -> str:
    """The `next` URL if it stays on this site, else `default` (no open redirects)."""
    return safe_next_path(request, default)


def _staff_home() -> str:
    try:
        return reverse("desk:home")
    except NoReverseMatch:
        return settings.LOGIN_REDIRECT_URL


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _refused(response, refusal: Exception | None):
    """A rate-limited attempt answers 429 Too Many Requests with Retry-After, so that scripts
    and proxies back off; other refusals keep the status the view chose."""
    if isinstance(refusal, services.RateLimited):
        response.status_code = 429
        if refusal.retry_after:
            response["Retry-After"] = str(refusal.retry_after)
    return response


# --- citizens -----------------------------------------------------------------------------


def _login_steps_context(request, *, phone_form=None, code_form=None) -> dict:
    sent_to = request.session.get(CODE_SENT_TO, "")
    return {
        "phone_form": phone_form or PhoneForm(initial={"phone": sent_to}),
        "code_form": code_form or CodeSignInForm(initial={"phone": sent_to}),
        "code_sent": bool(sent_to),
        "next": _safe_next(request, ""),
    }


@never_cache
@require_GET
def login_view(request):
    return render(request, "accounts/login.html", _login_steps_context(request))


@never_cache
@require_POST
@csrf_protect
def request_code(request):
    """Step one: send a code. With htmx only the steps are swapped; without, the page reloads."""
    form = PhoneForm(request.POST)
    shown: PhoneForm | None = form  # None once the code is sent: the steps show a fresh form
    refused = None
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.request_sign_in_code(phone=phone, ip=client_ip(request))
        except services.SignInRefused as refusal:
            refused = refusal
            form.add_error("phone", str(refusal))
        else:
            request.session[CODE_SENT_TO] = phone
            if not request.htmx:  # htmx shows the notice inside the swapped steps instead
                messages.success(request, _("We sent a 6-digit code to your phone."))
                return redirect(_with_next(reverse("accounts:login"), _safe_next(request, "")))
            shown = None
    context = _login_steps_context(request, phone_form=shown)
    template = "accounts/_login_steps.html" if request.htmx else "accounts/login.html"
    response = render(request, template, context, status=200 if shown is None else 400)
    return _refused(response, refused)


@never_cache
@require_POST
@csrf_protect
@sensitive_post_parameters("code")
def verify_code(request):
    """Step two: the code proves the number; the account is made on the first sign-in."""
    form = CodeSignInForm(request.POST)
    refused = None
    if form.is_valid():
        try:
            user = services.sign_in_with_code(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except services.SignInRefused as refusal:
            refused = refusal
            form.add_error("code", str(refusal))
        else:
            login(request, user, backend=MODEL_BACKEND)
            mark_signed_in(request, BY_CODE)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    context = _login_steps_context(request, code_form=form)
    context["code_sent"] = True
    return _refused(render(request, "accounts/login.html", context, status=400), refused)


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
def password_login(request):
    form = PasswordSignInForm(request.POST or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_with_password(
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.SignInRefused as refusal:
            refused = refusal
            form.add_error(None, str(refusal))
        else:
            login(request, user, backend=MODEL_BACKEND)
            mark_signed_in(request, BY_PASSWORD)
            return redirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    status = 400 if form.is_bound else 200
    context = {"form": form, "next": _safe_next(request, "")}
    response = render(request, "accounts/password_login.html", context, status=status)
    return _refused(response, refused)


@require_POST
@csrf_protect
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- profile ------------------------------------------------------------------------------


def _password_form(user, data=None):
    if user.has_usable_password():
        return ChangePasswordForm(data, user=user)
    return NewPasswordForm(data)


@never_cache
@login_required
@csrf_protect
@sensitive_post_parameters("current_password", "password1", "password2")
def profile(request):
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    profile_form = ProfileForm(
        request.POST if which == "profile" else None,
        initial={"nickname": user.nickname, "real_name": user.real_name, "email": user.email},
    )
    password_form = _password_form(user, request.POST if which == "password" else None)
    if which == "profile" and profile_form.is_valid():
        services.update_profile(user=user, **profile_form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    if which == "password" and password_form.is_valid():
        try:
            services.set_password(user=user, password=password_form.cleaned_data["password1"])
        except ValidationError as error:
            password_form.add_error("password1", error)
        else:
            update_session_auth_hash(request, user)  # stay signed in on this device
            messages.success(request, _("Your password was saved."))
            return redirect("accounts:profile")
    context = {
        "profile_form": profile_form,
        "password_form": password_form,
        "has_password": user.has_usable_password(),
        "memberships": selectors.memberships_for_profile(user),
    }
    return render(request, "accounts/profile.html", context, status=400 if which else 200)


# --- staff --------------------------------------------------------------------------------


@never_cache
@csrf_protect
@sensitive_post_parameters("password")
def staff_login(request):
    """Staff step one: username and password; every staff member goes on to step two."""
    form = StaffSignInForm(request.POST or None)
    next_url = _safe_next(request, "")
    refused = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            user = services.check_staff_password(
                request=request,
                username=username,
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.SignInRefused as refusal:
            refused = refusal
            form.add_error(None, str(refusal))
        else:
            # Every staff role goes on to the authenticator: a password alone opens no desk.
            remember_pending_staff(request, user, next_url)
            return redirect("accounts:staff_second_factor")
    status = 400 if form.is_bound else 200
    context = {"form": form, "next": next_url}
    response = render(request, "accounts/staff_login.html", context, status=status)
    return _refused(response, refused)


def _enrolment_context(device, user) -> dict:
    uri = pyotp.TOTP(device.secret).provisioning_uri(
        name=user.get_username(), issuer_name=settings.LIUYAN_OTP_ISSUER
    )
    # Groups of four are easier to type into an app by hand.
    grouped = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
    return {"enrolling": True, "secret": grouped, "otpauth_uri": uri, "qr_svg": qr_svg(uri)}


@never_cache
@csrf_protect
@sensitive_post_parameters("code")
def staff_second_factor(request):
    """Staff step two: the authenticator code, after enrolling the app the first time."""
    pending = pending_staff(request)
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if not pending or user is None:  # (a user implies a pending sign-in; said for mypy)
        messages.info(request, _("Please sign in with your username and password first."))
        return redirect("accounts:staff_login")
    device = selectors.confirmed_device(user) or services.start_totp_enrolment(user=user)
    form = AuthenticatorCodeForm(request.POST or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_totp(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except services.SignInRefused as refusal:
            refused = refusal
            form.add_error("code", str(refusal))
            audit.record(request, "second_factor_failed", username=user.get_username())
        else:
            forget_pending_staff(request)
            services.finish_staff_sign_in(username=user.get_username(), ip=client_ip(request))
            login(request, user, backend=MODEL_BACKEND)
            mark_signed_in(request, BY_TWO_FACTORS)
            return redirect(pending["next"] or _staff_home())
    context = {"form": form}
    if not device.is_confirmed:
        context.update(_enrolment_context(device, user))
    status = 400 if form.is_bound else 200
    response = render(request, "accounts/staff_second_factor.html", context, status=status)
    return _refused(response, refused)


def admin_login_redirect(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponse:
    """Replaces the Django admin's login page: staff sign in on our page, with the second factor."""
    if request.user.is_authenticated and not admin_site.has_permission(request):
        # Signed in but not allowed in the admin: sending them to sign in again would loop.
        raise PermissionDenied
    next_url = _safe_next(request, reverse("admin:index"))
    return HttpResponseRedirect(_with_next(reverse("accounts:staff_login"), next_url))


# --- the audit trail ----------------------------------------------------------------------


def _require_administrator(request):
    if not selectors.is_administrator(request.user):
        raise PermissionDenied


def _filtered_entries(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        username=filters.get("user", ""),
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return form, entries


@never_cache
@login_required
@require_GET
def audit_list(request):
    _require_administrator(request)
    form, entries = _filtered_entries(request)
    page = selectors.audit_page(entries, before=request.GET.get("before"), size=AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "entries": audit_words.describe(page.items),
        "next_before": page.next_cursor,
        "query": query.urlencode(),
    }
    template = "accounts/_audit_rows.html" if request.htmx else "accounts/audit_list.html"
    return render(request, template, context)


@never_cache
@login_required
@require_GET
def sign_in_locks(request):
    """Administrators: the sign-in locks of the last week, from the audit trail."""
    _require_administrator(request)
    locks = selectors.recent_sign_in_locks(now=timezone.now(), days=7, limit=LOCKS_SHOWN)
    context = {"locks": locks, "days": 7}
    return render(request, "accounts/sign_in_locks.html", context)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer + streaming."""

    def write(self, value):
        return value


CSV_COLUMNS = (
    "at",
    "username",
    "roles",
    "action",
    "method",
    "path",
    "object_type",
    "object_id",
    "ip_address",
    "user_agent",
    "detail",
    "description",  # the action in words (audit_words), last so the columns above keep place
)


def _csv_cell(value) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(entry, description: str = "") -> list[str]:
    values = {
        "at": timezone.localtime(entry.at).isoformat(timespec="seconds"),
        "detail": entry.detail,
        "description": description,
    }
    return [
        _csv_cell(values[name] if name in values else getattr(entry, name)) for name in CSV_COLUMNS
    ]


CSV_BATCH = 2000  # entries put into words together: a few queries per batch


def _described_rows(writer, entries: list):
    for row in audit_words.describe(entries):
        yield writer.writerow(_csv_row(row.entry, row.action))


@never_cache
@login_required
@require_GET
def audit_export(request):
    _require_administrator(request)
    _form, entries = _filtered_entries(request)
    audit.record(request, "audit_export", filters=request.GET.dict())
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so that Excel reads the Chinese as UTF-8
        yield writer.writerow(CSV_COLUMNS)
        batch: list = []
        for entry in entries.iterator(chunk_size=CSV_BATCH):
            batch.append(entry)
            if len(batch) == CSV_BATCH:
                yield from _described_rows(writer, batch)
                batch = []
        yield from _described_rows(writer, batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="liuyan-audit-{stamp}.csv"'
    return response
