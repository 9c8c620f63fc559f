"""The inbox, and following messages and boards. Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liuyan.board.selectors import visible_message_or_none
from liuyan.directory.models import Board
from liuyan.web.redirects import safe_next_path

from . import links, selectors, services

PAGE_SIZE = 30


def _back(request, default: str) -> str:
    return safe_next_path(request, default)


@login_required
@require_GET
def inbox(request):
    page = selectors.inbox_page(request.user, before=request.GET.get("before"), size=PAGE_SIZE)
    context = {
        "notifications": page.items,
        "next_before": page.next_cursor,
        "channels": selectors.channel_choice(request.user),
    }
    template = "notifications/_items.html" if request.htmx else "notifications/inbox.html"
    return render(request, template, context)


@login_required
@require_GET
def open_notification(request, notification_id: int):
    """Follow a notification's link, marking it read on the way."""
    notification = services.mark_read(user=request.user, notification_id=notification_id)
    if notification is None:
        raise Http404
    return redirect(links.target_url(notification))


@login_required
@require_POST
def mark_read(request, notification_id: int):
    notification = services.mark_read(user=request.user, notification_id=notification_id)
    if notification is None:
        raise Http404
    if request.htmx:
        return render(request, "notifications/_item.html", {"notification": notification})
    return redirect(_back(request, "notifications:inbox"))


@login_required
@require_POST
def choose_channels(request):
    """E-mail and text messages on or off (ticked boxes are sent, unticked ones are not)."""
    services.choose_channels(
        user=request.user, email="email" in request.POST, sms="sms" in request.POST
    )
    flash.success(request, _("Your choice of channels is saved."))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    return redirect(_back(request, "notifications:inbox"))


def _follow_button(request, target, following: bool):
    context = {"target": target, "following": following, "next": _back(request, "")}
    return render(request, "notifications/_follow_button.html", context)


def _wants_unfollow(request) -> bool:
    return request.POST.get("follow") == "0"


@login_required
@require_POST
def follow_message(request, message_id: int):
    """Follow (or with follow=0, unfollow) a message the user is allowed to see."""
    message = visible_message_or_none(request.user, message_id)
    if message is None:
        raise Http404  # the same answer as for a message that does not exist
    if _wants_unfollow(request):
        services.unfollow_message(user=request.user, message=message)
    else:
        services.follow_message(user=request.user, message=message)
    if request.htmx:
        return _follow_button(request, message, not _wants_unfollow(request))
    return redirect(_back(request, "notifications:inbox"))


@login_required
@require_POST
def follow_board(request, board_id: int):
    board = get_object_or_404(Board, pk=board_id, is_active=True)
    if _wants_unfollow(request):
        services.unfollow_board(user=request.user, board=board)
    else:
        services.follow_board(user=request.user, board=board)
    if request.htmx:
        return _follow_button(request, board, not _wants_unfollow(request))
    return redirect(_back(request, "notifications:inbox"))
