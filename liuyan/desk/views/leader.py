"""Leader desk: the region's and boards' figures, supervised items, instructions (批示)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import access, services
from liuyan.board.access import roles_for
from liuyan.board.models import STATE_LABELS
from liuyan.board.selectors import message_version, timeline
from liuyan.core.lifecycle import State, allowed_actions

from .. import selectors as sel
from ..forms import InstructionForm, SuperviseForm
from .common import back, desk_view, perform_form, render_desk, seen
from .moderator import order_supervision

LEADER = access.LEADER


@desk_view(LEADER)
def overview(request):
    now = timezone.now()
    scope = request.scope
    overview, weeks = sel.overview_figures(scope, now=now)
    context = {
        "overview": overview,
        "boards": access.led_boards(scope),
        "chart": {"weeks": [w for w, _ in weeks], "counts": [n for _, n in weeks]},
        "weeks": weeks,
        "supervisions": sel.led_supervisions(scope)[:10],
        "recent": access.led_messages(scope).select_related("board").order_by("-submitted_at")[:10],
    }
    return render_desk(request, "desk/leader/overview.html", context)


@desk_view(LEADER)
def message_list(request):
    state = request.GET.get("state", "")
    queryset = access.led_messages(request.scope).select_related("board", "region")
    if state in State.__members__.values():
        queryset = queryset.filter(state=state)
    page = sel.keyset_page(
        queryset, key="submitted_at", cursor=request.GET.get("after"), descending=True
    )
    context = {"page": page, "state": state, "states": list(STATE_LABELS.items())}
    return render_desk(request, "desk/leader/messages.html", context)


@desk_view(LEADER)
def supervision(request):
    page = sel.keyset_page(
        sel.led_supervisions(request.scope), key="due_at", cursor=request.GET.get("after")
    )
    now = timezone.now()
    rows = [(s, sel.timer_for_deadline(s.due_at, now=now)) for s in page.items]
    return render_desk(request, "desk/leader/supervision.html", {"page": page, "rows": rows})


def _message(request, message_id: int):
    return get_object_or_404(
        access.led_messages(request.scope).select_related("board", "region", "domain"),
        pk=message_id,
    )


@desk_view(LEADER)
def message_detail(request, message_id: int):
    message = _message(request, message_id)
    roles = roles_for(request.user, message)
    context = {
        "message": message,
        "actions": allowed_actions(message.lifecycle_state, roles),
        "instruction_form": InstructionForm(),
        "supervise_form": SuperviseForm(),
        "instructions": message.instructions.select_related("author"),
        "supervisions": message.supervisions.order_by("-created_at"),
        "replies": message.replies.filter(published_at__isnull=False).select_related("unit"),
        "assignments": message.assignments.select_related("unit").order_by("-round", "id"),
        "events": timeline(message, staff=True).select_related("actor"),
        "seen": message_version(message),
    }
    return render_desk(request, "desk/leader/message.html", context)


@desk_view(LEADER, post=True)
def instruct(request, message_id: int):
    message = _message(request, message_id)
    perform_form(
        request,
        InstructionForm(request.POST),
        lambda data: services.instruct(
            message_id=message.pk,
            actor=request.user,
            body=data["body"],
            is_public=data["is_public"],
            seen=seen(request),
        ),
        done=_("Instruction recorded."),
    )
    return back(request, "desk:leader_message", message.pk)


@desk_view(LEADER, post=True)
def supervise(request, message_id: int):
    message = _message(request, message_id)
    return order_supervision(request, message, fallback="desk:leader_message")
