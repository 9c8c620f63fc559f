"""Hotline operator: enter a caller's message, and see what one has entered."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from liuyan.board import access
from liuyan.channels import hotline
from liuyan.directory.models import Region

from .. import insight
from .. import selectors as sel
from ..forms import HotlineMessageForm
from .common import desk_view, perform, render_desk

OPERATOR = access.OPERATOR


@desk_view(OPERATOR)
def entered(request):
    page = sel.keyset_page(
        access.entered_messages(request.scope).select_related("board"),
        key="submitted_at",
        cursor=request.GET.get("after"),
        descending=True,
    )
    return render_desk(request, "desk/operator/entered.html", {"page": page})


@desk_view(OPERATOR)
def new_message(request):
    """The hotline console: enter the caller's message during the call."""
    form = HotlineMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = []
        data = form.cleaned_data
        ok = perform(
            request,
            lambda: created.append(
                hotline.enter_call(
                    operator=request.user,
                    board=data["board"],
                    type=data["type"],
                    domain=data["domain"],
                    region=data["region"],
                    title=data["title"],
                    body=data["body"],
                    place=data["place"],
                    is_public=data["is_public"],
                    is_urgent=data["is_urgent"],
                    transfer_to=data["transfer_to"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                )
            ),
            done=_("Entered. The caller gets the serial number by text message."),
        )
        if ok:
            return redirect("desk:operator_message", created[0].pk)
    return render_desk(request, "desk/operator/new.html", {"form": form})


@desk_view(OPERATOR)
def caller_history(request):
    """htmx: the caller's earlier messages, as soon as the number is typed."""
    phone = request.GET.get("caller_phone", "")[:20]
    messages = hotline.caller_history(request.scope, phone) if len(phone) >= 7 else []
    return render(request, "desk/operator/_caller_history.html", {"earlier": messages})


@desk_view(OPERATOR)
def region_options(request):
    """htmx: regions whose name or code starts with what was typed, for the datalist."""
    typed = request.GET.get("region", "").strip()[:20]
    regions = []
    if typed:
        regions = list(
            Region.objects.filter(Q(name__startswith=typed) | Q(code__startswith=typed))
            .select_related("parent")
            .order_by("level", "code")[:15]
        )
    return render(request, "desk/operator/_region_options.html", {"regions": regions})


@desk_view(OPERATOR)
def domain_suggestion(request):
    """htmx: the domains the classifier proposes for what has been typed so far."""
    title, body = request.GET.get("title", "")[:50], request.GET.get("body", "")[:3000]
    suggestions = insight.suggested_domains(title, body) if len(title + body) >= 10 else []
    return render(request, "desk/operator/_domain_suggestion.html", {"suggestions": suggestions})


@desk_view(OPERATOR)
def message_detail(request, message_id: int):
    message = get_object_or_404(
        access.entered_messages(request.scope).select_related("board", "contact"), pk=message_id
    )
    context = {
        "message": message,
        "earlier": access.earlier_messages_from_caller(request.scope, message),
    }
    return render_desk(request, "desk/operator/message.html", context)
