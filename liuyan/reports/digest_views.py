"""Pages of the weekly digest 民声摘报: the list with search, compiling a draft (moderators),
reading a published issue and writing 批示 on its items (the region's leaders), and the PDF.

Views parse the request, call one service or selector, and render.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from liuyan.board.access import staff_scope
from liuyan.board.refusals import describe_refusal
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import LifecycleError
from liuyan.directory.models import Region, Unit

from . import digest_selectors as sel
from . import digest_services as services
from .digest_models import Digest, DigestItem
from .pdf import render_pdf

LIST_SIZE = 50


def staff_page(view: Callable) -> Callable:
    """Staff sign-in required; `request.scope` carries what the user may see. Never cached."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:staff_login")
        request.scope = staff_scope(request.user)
        if not request.scope.desks:
            raise PermissionDenied(_("This page is for staff."))
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def _run(request, call: Callable, done: str) -> bool:
    try:
        call()
    except (ValidationError, LifecycleError) as error:
        messages.error(request, describe_refusal(error))
        return False
    messages.success(request, done)
    return True


def _readable(request, digest_id: int) -> Digest:
    digest = get_object_or_404(Digest.objects.select_related("region"), pk=digest_id)
    if not sel.may_read(request.scope, digest):
        raise Http404
    return digest


class ItemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ManualItemForm(ItemForm):
    serials = forms.CharField(
        label=gettext_lazy("Message serial numbers"),
        help_text=gettext_lazy("Separated by spaces or commas."),
        max_length=2000,
    )


class InstructionForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Instruction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Responsible units"), queryset=Unit.objects.none()
    )
    due = forms.DateField(
        label=gettext_lazy("Solve by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        from liuyan.board.access import region_subtree_ids

        units = Unit.objects.filter(is_active=True, region_id__in=region_subtree_ids({region.pk}))
        self.fields["units"].queryset = units.order_by("region__code", "name")  # type: ignore[attr-defined]


def _form_errors(request, form: forms.Form) -> None:
    texts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        joined = "；".join(str(error) for error in errors)
        texts.append(f"{label}：{joined}" if label else joined)
    messages.error(request, " ".join(texts))


@require_GET
@staff_page
def digest_list(request) -> HttpResponse:
    text = request.GET.get("q", "")
    digests = list(sel.search_digests(request.scope, text)[:LIST_SIZE])
    context = {
        "digests": digests,
        "q": text,
        "regions": sel.compilable_regions(request.scope).order_by("code")[:200],
        "scope": request.scope,
        "desk": None,
    }
    return render(request, "reports/digest/list.html", context)


@require_POST
@staff_page
def digest_create(request) -> HttpResponse:
    region = get_object_or_404(Region, code=request.POST.get("region", "")[:6])
    now = timezone.now()
    try:
        digest = services.create_digest(
            region=region, actor=request.user, now=now, since=now - timedelta(days=7)
        )
    except ValidationError as error:
        messages.error(request, describe_refusal(error))
        return redirect("reports:digests")
    return redirect("reports:digest", digest.pk)


@require_GET
@staff_page
def digest_detail(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    now = timezone.now()
    items = list(digest.items.prefetch_related("messages", "instructions__units"))
    compiling = not digest.is_published and sel.may_compile(request.scope, digest.region)
    may_instruct = digest.is_published and sel.leads_region(request.scope, digest.region)
    instructable = (
        [(item, not sel.messages_not_led(request.user, item)) for item in items]
        if may_instruct
        else []
    )
    context = {
        "digest": digest,
        "rows": [(item, sel.item_state(item, now=now)) for item in items],
        "instructable": instructable,
        "progress": digest.progress.select_related("item__digest"),
        "compiling": compiling,
        "may_instruct": may_instruct,
        "instruction_form": InstructionForm(region=digest.region) if may_instruct else None,
        "scope": request.scope,
        "desk": None,
    }
    if compiling:
        taken = {m.pk for item in items for m in item.messages.all()}
        proposals = sel.propose(digest.region, now=now, since=digest.period_start)
        context["proposals"] = [(p, bool(taken & set(p.message_ids))) for p in proposals]
        context["manual_form"] = ManualItemForm()
        context["upcoming_progress"] = sel.items_to_report(digest)
    return render(request, "reports/digest/detail.html", context)


@require_GET
@staff_page
def digest_pdf(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    now = timezone.now()
    items = list(digest.items.prefetch_related("messages", "instructions__units"))
    context = {
        "digest": digest,
        "rows": [(item, sel.item_state(item, now=now)) for item in items],
        "progress": digest.progress.select_related("item__digest"),
        "for_pdf": True,
    }
    pdf = render_pdf("reports/digest/pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"digest-{digest.region.code}-{digest.year}-{digest.number or 'draft'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _back(digest_id: int) -> HttpResponse:
    return redirect("reports:digest", digest_id)


@require_POST
@staff_page
def digest_add_proposal(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    key = request.POST.get("key", "")[:80]
    _run(
        request,
        lambda: services.add_proposal(
            digest_id=digest.pk, actor=request.user, key=key, now=timezone.now()
        ),
        _("Item added."),
    )
    return _back(digest.pk)


@require_POST
@staff_page
def digest_add_item(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    form = ManualItemForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(digest.pk)
    serials = form.cleaned_data["serials"].replace("，", " ").replace(",", " ").split()
    from liuyan.board.models import Message

    ids = list(Message.objects.filter(serial__in=serials[:50]).values_list("pk", flat=True))
    if len(ids) != len(set(serials)):
        messages.error(request, _("Some serial numbers were not found."))
        return _back(digest.pk)
    _run(
        request,
        lambda: services.add_item(
            digest_id=digest.pk,
            actor=request.user,
            kind=DigestItem.Kind.OTHER,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            message_ids=ids,
        ),
        _("Item added."),
    )
    return _back(digest.pk)


def _item(request, digest_id: int, item_id: int) -> DigestItem:
    digest = _readable(request, digest_id)
    return get_object_or_404(DigestItem, pk=item_id, digest=digest)


@require_POST
@staff_page
def digest_edit_item(request, digest_id: int, item_id: int) -> HttpResponse:
    item = _item(request, digest_id, item_id)
    form = ItemForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.edit_item(item_id=item.pk, actor=request.user, **form.cleaned_data),
            _("Item saved."),
        )
    else:
        _form_errors(request, form)
    return _back(digest_id)


@require_POST
@staff_page
def digest_move_item(request, digest_id: int, item_id: int) -> HttpResponse:
    item = _item(request, digest_id, item_id)
    up = request.POST.get("direction") == "up"
    _run(
        request, lambda: services.move_item(item_id=item.pk, actor=request.user, up=up), _("Moved.")
    )
    return _back(digest_id)


@require_POST
@staff_page
def digest_remove_item(request, digest_id: int, item_id: int) -> HttpResponse:
    item = _item(request, digest_id, item_id)
    _run(request, lambda: services.remove_item(item_id=item.pk, actor=request.user), _("Removed."))
    return _back(digest_id)


@require_POST
@staff_page
def digest_foreword(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    text = request.POST.get("foreword", "")
    _run(
        request,
        lambda: services.set_foreword(digest_id=digest.pk, actor=request.user, foreword=text),
        _("Saved."),
    )
    return _back(digest.pk)


@require_POST
@staff_page
def digest_publish(request, digest_id: int) -> HttpResponse:
    digest = _readable(request, digest_id)
    _run(
        request,
        lambda: services.publish(digest_id=digest.pk, actor=request.user, now=timezone.now()),
        _("Published and sent to the region's leaders."),
    )
    return _back(digest.pk)


@require_POST
@staff_page
def digest_instruct(request, digest_id: int, item_id: int) -> HttpResponse:
    item = _item(request, digest_id, item_id)
    form = InstructionForm(request.POST, region=item.digest.region)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(digest_id)
    data = form.cleaned_data
    # The end of the chosen day (the supervision moves it to the end of a working day).
    due = datetime.combine(data["due"], time(23, 59), tzinfo=SHANGHAI)
    _run(
        request,
        lambda: services.instruct_item(
            item_id=item.pk,
            actor=request.user,
            body=data["body"],
            units=list(data["units"]),
            due_at=due,
            now=timezone.now(),
        ),
        _("Instruction recorded; the messages are under supervision."),
    )
    return _back(digest_id)
