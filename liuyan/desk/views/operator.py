"""Hotline operator: enter a caller's message, and see what one has entered."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from liuyan.board import access, services
from liuyan.board.models import Message

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
    form = HotlineMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = []
        data = form.cleaned_data
        ok = perform(
            request,
            lambda: created.append(
                services.submit_message(
                    author=None,
                    entered_by=request.user,
                    channel=Message.Channel.HOTLINE,
                    board=data["board"],
                    type=data["type"],
                    domain=data["domain"],
                    title=data["title"],
                    body=data["body"],
                    place=data["place"],
                    is_public=data["is_public"],
                    is_urgent=data["is_urgent"],
                    contact={"name": data["caller_name"], "phone": data["caller_phone"]},
                )
            ),
            done=_("Entered. Tell the caller the serial number."),
        )
        if ok:
            return redirect("desk:operator_message", created[0].pk)
    return render_desk(request, "desk/operator/new.html", {"form": form})


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
