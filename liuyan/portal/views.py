"""Citizen pages. Views parse the request, call one selector or service, and render.

A message that the user may not see answers 404 everywhere (its page, its images, its respond
forms), so that nobody can learn that a private message exists.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liuyan.board import services
from liuyan.board.access import can_view, is_publicly_visible
from liuyan.board.models import Message, Reply
from liuyan.core.lifecycle import RULES, Action, LifecycleError, State
from liuyan.directory.models import Board, Region
from liuyan.reports.figures import pages as figure_pages
from liuyan.reports.figures.measures import BOARD
from liuyan.reports.figures.pages import Slice
from liuyan.reports.selectors import public_hot_issues
from liuyan.web.inputs import parse_id, parse_positive
from liuyan.web.requests import HtmxRequest

from . import formtokens, insight_hooks, selectors, uploads
from .drafts import Draft
from .forms import BoardFilterForm, PostForm, RatingForm, SearchForm, WriteForm
from .preview import masked_preview
from .wording import TYPE_WORDS, next_step

HOME_HOT_ISSUES = 5

# --- home --------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "figures": selectors.year_figures(),
            "figure_links": figure_pages.public_figure_links(Slice(), figure_pages.this_year()),
            "year": timezone.localtime().year,
            "latest": selectors.latest_replied(),
            "hot_issues": public_hot_issues(limit=HOME_HOT_ISSUES),
            "provinces": selectors.provinces(),
        },
    )


# --- finding a board ---------------------------------------------------------------------


def _region_or_none(value: str | None) -> Region | None:
    region_id = parse_id(value)
    if region_id is None:
        return None
    return Region.objects.select_related("parent__parent").filter(pk=region_id).first()


@require_GET
def board_finder(request: HtmxRequest) -> HttpResponse:
    """Province → prefecture → county, each a list of links (selects when htmx is on), and the
    boards of the chosen region; or the boards and units matching a search."""
    region = _region_or_none(request.GET.get("region"))
    query = request.GET.get("q", "").strip()
    chain = region.ancestors() if region else []
    levels = _cascade_levels(chain)
    context = {
        "region": region,
        "chain": chain,
        "levels": levels,
        # Only offer "choose a region below" where the cascade shows one.
        "has_lower_regions": region is not None and levels[-1].get("parent") == region,
        "boards": selectors.boards_in(region) if region else [],
        "query": query,
        "found_boards": selectors.find_boards(query),
        "found_units": selectors.find_units(query),
    }
    template = "portal/boards.html"
    if request.htmx and request.htmx.target == "board-finder-results":
        template = "portal/_board_finder_results.html"
    return render(request, template, context)


def _cascade_levels(chain: list[Region]) -> list[dict]:
    """One level per step down: provinces, then the children of each chosen region.

    `parent` is the region above the level, so that "Choose…" on a lower level goes back up.
    """
    levels: list[dict[str, Any]] = [
        {"label": _("Province"), "options": list(selectors.provinces()), "parent": None}
    ]
    labels = [_("Prefecture"), _("County")]
    for depth, region in enumerate(chain):
        levels[depth]["chosen"] = region
        children = list(selectors.child_regions(region)) if depth < len(labels) else []
        if children:
            levels.append({"label": labels[depth], "options": children, "parent": region})
    return levels


def _board_filters(request: HttpRequest) -> BoardFilterForm:
    form = BoardFilterForm(request.GET or None)
    form.is_valid()  # an invalid filter value is ignored, not an error page
    return form


@require_GET
def board_detail(request: HtmxRequest, board_id: int) -> HttpResponse:
    board = get_object_or_404(
        Board.objects.select_related("region__parent__parent", "default_unit"),
        pk=board_id,
        is_active=True,
    )
    filters = _board_filters(request)
    chosen = filters.cleaned_data if filters.is_bound else {}
    rows = selectors.board_messages(
        board,
        status=chosen.get("status") or "",
        type=chosen.get("type") or "",
        domain=chosen.get("domain"),
        period=chosen.get("period") or "",
    )
    page = selectors.message_page(rows, request.GET.get("after"))
    context = {
        "board": board,
        "figures": selectors.board_figures(board),
        "figure_links": figure_pages.public_figure_links(
            Slice(BOARD, str(board.pk)), figure_pages.all_time()
        ),
        "filters": filters,
        "page": page,
        "next_query": _with_after(request, page.next_cursor),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "portal/_message_page.html", context)
    if request.htmx and request.htmx.target == "board-messages":
        return render(request, "portal/_board_messages.html", context)
    return render(request, "portal/board.html", context)


def _with_after(request: HttpRequest, cursor: str | None) -> str:
    if cursor is None:
        return ""
    query = request.GET.copy()
    query["after"] = cursor
    return query.urlencode()


# --- one message -------------------------------------------------------------------------


def _visible_message(request: HttpRequest, serial: str) -> Message:
    message = selectors.message_for(request.user, serial, record_flags=True)
    if message is None:
        raise Http404(_("No such message."))
    return message


def _author_may(message: Message, user, action: Action) -> bool:
    return message.author_id == getattr(user, "pk", None) and (
        State(message.state) in RULES[action].from_states
    )


def _message_context(request: HttpRequest, message: Message, **forms) -> dict:
    user = request.user
    can_rate = _author_may(message, user, Action.RATE_SATISFIED) and (
        message.rate_by is None or timezone.now() <= message.rate_by
    )
    return {
        "message": message,
        "record": selectors.public_record(message),
        "is_author": message.author_id == getattr(user, "pk", None),
        "rating_form": forms.get("rating_form") or (RatingForm() if can_rate else None),
        "follow_up_form": forms.get("follow_up_form")
        or (PostForm(prefix="follow_up") if _author_may(message, user, Action.FOLLOW_UP) else None),
        "thanks_form": forms.get("thanks_form")
        or (PostForm(prefix="thanks") if _author_may(message, user, Action.THANK) else None),
        "next_step": next_step(message) if message.author_id == getattr(user, "pk", None) else None,
        "original": _visible_original(message, user),
    }


def _visible_original(message: Message, user) -> Message | None:
    """For a duplicate: the message it duplicates, when the viewer may see that one."""
    original = message.duplicate_of if message.state == State.DUPLICATE else None
    return original if original is not None and can_view(user, original) else None


@require_GET
def message_detail(request: HttpRequest, serial: str) -> HttpResponse:
    message = _visible_message(request, serial)
    response = render(request, "portal/message.html", _message_context(request, message))
    if not is_publicly_visible(message):
        response["Cache-Control"] = "private, no-store"
    return response


def _respond(request, serial, form, service, form_name, success) -> HttpResponse:
    """Run one of the author's actions; on a refusal, show the page again with the reason."""
    message = _visible_message(request, serial)
    if form.is_valid():
        try:
            service(message, form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        except LifecycleError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, success)
            return redirect("portal:message", serial=serial)
    context = _message_context(request, message, **{form_name: form})
    return render(request, "portal/message.html", context, status=400)


@login_required
@require_POST
def rate(request: HttpRequest, serial: str) -> HttpResponse:
    def service(message, data):
        services.rate_reply(message_id=message.pk, actor=request.user, **data)

    form = RatingForm(request.POST)
    return _respond(request, serial, form, service, "rating_form", _("Thank you for your rating."))


@login_required
@require_POST
def follow_up(request: HttpRequest, serial: str) -> HttpResponse:
    def service(message, data):
        services.follow_up(message_id=message.pk, actor=request.user, body=data["body"])

    form = PostForm(request.POST, prefix="follow_up")
    success = _("Your follow-up question is posted.")
    return _respond(request, serial, form, service, "follow_up_form", success)


@login_required
@require_POST
def thanks(request: HttpRequest, serial: str) -> HttpResponse:
    def service(message, data):
        services.thank(message_id=message.pk, actor=request.user, body=data["body"])

    form = PostForm(request.POST, prefix="thanks")
    return _respond(request, serial, form, service, "thanks_form", _("Your thanks are posted."))


@require_GET
def attachment(request: HttpRequest, token: str) -> FileResponse:
    """An image, only for those who may see its message (never a static media URL)."""
    found = selectors.attachment_for(request.user, token)
    if found is None:
        raise Http404(_("No such image."))
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.token}.{found.extension}"'
    # The attachment_belongs_somewhere constraint: without a message it has a reply.
    message = found.message or cast(Reply, found.reply).message
    response["Cache-Control"] = (
        "public, max-age=86400" if is_publicly_visible(message) else "private, no-store"
    )
    return response


# --- writing -----------------------------------------------------------------------------


def _board_from(request: HttpRequest) -> Board | None:
    board_id = parse_id(request.POST.get("board") or request.GET.get("board"))
    if board_id is None:
        return None
    return Board.objects.select_related("region").filter(pk=board_id, is_active=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest) -> HttpResponse:
    board = _board_from(request)
    if board is None:
        flash.info(request, _("First choose the leader or body you want to write to."))
        return redirect("portal:boards")
    if request.method == "GET":
        return _write_form(request, board, _fresh_write_form(request, board))
    form_token = formtokens.find(request.user, request.POST.get("form_token", ""))
    if form_token is None:
        return _stale_form(request, board)
    if form_token.is_consumed:
        return _sent(request, form_token.message)  # a resent form: the message it made
    draft = Draft(form_token)
    form = WriteForm(request.POST, request.FILES, draft_keys=draft.choices())
    step = request.POST.get("step", "preview")
    if not form.is_valid():
        draft.keep_valid_uploads(form, request.FILES.getlist("images"))
        return _write_form(request, board, form, draft, status=400)
    draft.remove(form.cleaned_data["remove_images"])
    if not draft.add_uploads(form, form.cleaned_data["images"]):
        return _write_form(request, board, form, draft, status=400)
    if step == "send":
        return _send(request, form, draft)
    if step == "edit":
        return _write_form(request, board, form, draft)
    return _preview(request, board, form, draft)


def _fresh_write_form(request: HttpRequest, board: Board) -> WriteForm:
    token = formtokens.issue(request.user)
    initial = {"form_token": token, "board": board.pk, "is_public": "1"}
    phone = getattr(request.user, "phone", None)  # anonymous users have none
    if phone:
        initial["contact_phone"] = phone
    return WriteForm(initial=initial)


def _stale_form(request: HttpRequest, board: Board) -> HttpResponse:
    """The token has lapsed or is not this user's: nothing was sent from it. (A token that was
    used answers with its message instead, see _sent.)"""
    flash.warning(
        request,
        _(
            "This form has expired, so nothing was sent from it. Check “My messages”, then "
            "write your message again."
        ),
    )
    return redirect(f"{reverse('portal:write')}?board={board.pk}")


def _sent(request: HttpRequest, message) -> HttpResponse:
    """The answer to a send, the first time and for every resend of the same form."""
    flash.success(
        request,
        _("Your message %(serial)s is sent. It will be screened within one working day.")
        % {"serial": message.serial},
    )
    return redirect("portal:message", serial=message.serial)


def _write_form(request, board, form, draft=None, status=200) -> HttpResponse:
    suggestion = insight_hooks.suggested_domain(
        form.data.get("title", ""), form.data.get("body", "")
    )
    return render(
        request,
        "portal/write.html",
        {"board": board, "form": form, "draft": draft, "suggestion": suggestion},
        status=status,
    )


def _preview(request, board, form, draft) -> HttpResponse:
    data = form.cleaned_data
    return render(
        request,
        "portal/write_preview.html",
        {
            "board": board,
            "form": form,
            "draft": draft,
            "type_label": TYPE_WORDS[data["type"]],
            "title": masked_preview(data["title"]),
            "body": masked_preview(data["body"]),
            "place": masked_preview(data["place"]),
            "similar": selectors.similar_on_board(board, data["title"], data["body"]),
        },
    )


def _send(request: HttpRequest, form: WriteForm, draft: Draft) -> HttpResponse:
    data = form.cleaned_data
    now = timezone.now()
    try:
        with transaction.atomic():
            # Locked first: a second request with this token waits here, then finds the message.
            form_token = formtokens.find(request.user, data["form_token"], lock=True)
            if form_token is None:
                return _stale_form(request, data["board"])
            if form_token.is_consumed:
                return _sent(request, form_token.message)
            message = services.submit_message(
                author=request.user,
                board=data["board"],
                type=data["type"],
                title=data["title"],
                body=data["body"],
                is_public=data["is_public"],
                domain=data["domain"],
                place=data["place"],
                contact={"phone": data["contact_phone"]},
                now=now,
            )
            uploads.attach_images(message, draft.images, user=request.user, now=now)
            formtokens.consume(form_token, message, now=now)
    except ValidationError as error:  # rolled back: nothing was sent and the token is unused
        _add_service_errors(form, error)
        return _write_form(request, data["board"], form, draft, status=400)
    draft.finish()
    return _sent(request, message)


def _add_service_errors(form: WriteForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- my messages -------------------------------------------------------------------------


@login_required
@require_GET
def my_messages(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_messages(request.user)
    page = selectors.message_page(rows, request.GET.get("after"))
    now = timezone.now()
    for message in page.items:
        message.next_step = next_step(message, now)
    return render(
        request,
        "portal/my_messages.html",
        {"page": page, "next_query": _with_after(request, page.next_cursor)},
    )


# --- search ------------------------------------------------------------------------------

SEARCH_PAGE = 20


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    page_number = _page_number(request.GET.get("page"))
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = insight_hooks.search(
            form.cleaned_data, limit=SEARCH_PAGE, offset=(page_number - 1) * SEARCH_PAGE
        )
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "results": results,
            "page_number": page_number,
            "previous_query": _with_page(request, page_number - 1) if page_number > 1 else "",
            "next_query": _with_page(request, page_number + 1)
            if results and results.has_more
            else "",
        },
    )


def _page_number(value: str | None) -> int:
    return parse_positive(value, default=1, maximum=500)


def _with_page(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return query.urlencode()
