"""Moderator console: screen, reject, dispatch, review replies, decide extensions, look back,
chase overdue items and order supervision. Every write is one `board.services` call."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import access, services, similarity
from liuyan.board.access import can_see_contact, roles_for
from liuyan.board.models import SUPERVISION_LABELS, ExtensionRequest, Message, Reply
from liuyan.board.selectors import message_version, timeline
from liuyan.core.lifecycle import Action, ReplyState, SupervisionLevel, allowed_actions
from liuyan.web.inputs import parse_id

from .. import insight
from .. import selectors as sel
from ..forms import (
    DispatchForm,
    DuplicateForm,
    ExtensionDecisionForm,
    FollowUpReviewForm,
    NoteForm,
    ReasonForm,
    RejectForm,
    ReopenForm,
    ScreenForm,
    SuperviseForm,
)
from .common import (
    back,
    desk_view,
    form_refused,
    perform,
    perform_form,
    render_desk,
    seen,
    warn_about_calendar,
)

MOD = access.MODERATOR


def _page(request, queryset, key: str, *, descending: bool = False) -> sel.Page:
    return sel.keyset_page(
        queryset, key=key, cursor=request.GET.get("after"), descending=descending
    )


def _queue(request, template: str, page: sel.Page, **extra):
    now = timezone.now()
    rows = [(item, _timer_of(item, now)) for item in page.items]
    context = {
        "rows": rows,
        "page": page,
        "badges": sel.moderator_badges(request.scope),
        **extra,
    }
    return render_desk(request, template, context)


def _timer_of(item, now):
    if isinstance(item, Message):
        return sel.timer_for_deadline(item.screen_by, now=now)
    if isinstance(item, Reply):
        return None
    if hasattr(item, "accept_by"):
        return sel.timer_for_assignment(item, now=now)
    return sel.timer_for_deadline(getattr(item, "due_at", None), now=now)


@desk_view(MOD)
def screening(request):
    page = _page(request, sel.screening_queue(request.scope), "screen_by")
    _flag_campaigns(page.items)
    return _queue(request, "desk/moderator/screening.html", page, queue="screening")


def _flag_campaigns(messages: list[Message]) -> None:
    """Mark the queue's messages that copy the same text as several other authors."""
    flags = similarity.campaign_flags([message.pk for message in messages])
    for message in messages:
        # Read by the queue template only; not a model field, so mypy does not know it.
        message.campaign = flags.get(message.pk)  # type: ignore[attr-defined]


def _queue_view(queue: str, selector, key: str, template: str):
    """A queue page: the scoped `selector`'s rows by `key`, one keyset page at a time."""

    def view(request):
        page = _page(request, selector(request.scope), key)
        return _queue(request, f"desk/moderator/{template}", page, queue=queue)

    view.__name__ = view.__qualname__ = queue
    return desk_view(MOD)(view)


returned = _queue_view("returned", sel.returned_queue, "screen_by", "screening.html")


@desk_view(MOD)
def lookback(request):
    """Unsatisfied ratings (回头看), with each one's age; those replied more than
    LOOKBACK_FRESH_DAYS ago are listed apart (?stale=1) rather than mixed into this quarter's."""
    now = timezone.now()
    stale = request.GET.get("stale") == "1"
    page = _page(request, sel.lookback_queue(request.scope, now=now, stale=stale), "replied_at")
    for message in page.items:
        # Read by the queue template only; not a model field.
        message.age_days = (now - message.replied_at).days
    others = sel.bounded_count(sel.lookback_queue(request.scope, now=now, stale=not stale))
    return _queue(
        request,
        "desk/moderator/screening.html",
        page,
        queue="lookback",
        stale=stale,
        other_lookbacks=others,
        fresh_days=sel.LOOKBACK_FRESH_DAYS,
        query_prefix="stale=1" if stale else "",
    )


@desk_view(MOD)
def reply_queue(request):
    """Replies under review, and above them the units' answers to follow-up questions."""
    page = _page(request, sel.reply_review_queue(request.scope), "submitted_at")
    answers = sel.follow_up_review_queue(request.scope)[: sel.PAGE_SIZE]
    return _queue(
        request, "desk/moderator/replies.html", page, queue="replies", follow_up_answers=answers
    )


extensions = _queue_view("extensions", sel.extension_queue, "created_at", "extensions.html")
supervision = _queue_view("supervision", sel.moderated_supervisions, "due_at", "supervision.html")


OVERDUE_KINDS = ("screening", "acceptance", "reply")


@desk_view(MOD)
def overdue(request):
    kind = request.GET.get("kind", "screening")
    kind = kind if kind in OVERDUE_KINDS else "screening"
    now = timezone.now()
    if kind == "screening":
        page = _page(request, sel.overdue_screening_queue(request.scope, now=now), "screen_by")
    elif kind == "acceptance":
        page = _page(request, sel.overdue_acceptance_queue(request.scope, now=now), "accept_by")
    else:
        page = _page(request, sel.overdue_reply_queue(request.scope, now=now), "reply_by")
    return _queue(
        request,
        "desk/moderator/overdue.html",
        page,
        queue="overdue",
        kind=kind,
        kinds=OVERDUE_KINDS,
    )


# --- one message -------------------------------------------------------------------------


def _message(request, message_id: int) -> Message:
    return get_object_or_404(
        access.moderated_messages(request.scope).select_related(
            "board__default_unit", "region", "domain", "duplicate_of"
        ),
        pk=message_id,
    )


def _possible_duplicates(request, message: Message, actions) -> list:
    if Action.MARK_DUPLICATE not in actions:
        return []
    return similarity.possible_duplicates(message, visible=access.moderated_messages(request.scope))


def _screen_initial(message: Message) -> dict:
    return {
        "public_title": message.public_title,
        "public_body": message.public_body,
        "type": message.type,
        "domain": message.domain_id,
        "is_urgent": message.is_urgent,
    }


@desk_view(MOD)
def message_detail(request, message_id: int):
    message = _message(request, message_id)
    actions = allowed_actions(message.lifecycle_state, roles_for(request.user, message))
    candidates = sel.dispatch_candidates(message)
    suggestions = insight.suggested_units(message)
    lead_initial = suggestions[0].unit.pk if suggestions else None
    last_unit = getattr(sel.last_lead_unit(message), "pk", None)
    context = {
        "message": message,
        "actions": actions,
        "title_parts": sel.highlight_personal_data(message.title),
        "body_parts": sel.highlight_personal_data(message.body),
        "contact": getattr(message, "contact", None)
        if can_see_contact(request.user, message)
        else None,
        "screen_form": ScreenForm(initial=_screen_initial(message)),
        "reject_form": RejectForm(),
        "duplicate_form": DuplicateForm(),
        "dispatch_form": DispatchForm(candidates=candidates, initial={"lead_unit": lead_initial}),
        "reopen_form": ReopenForm(candidates=candidates, initial={"unit": last_unit}),
        "close_form": NoteForm(),
        "supervise_form": SuperviseForm(),
        "possible_duplicates": _possible_duplicates(request, message, actions),
        # Asked after the line above, whose question starts the index's first load if needed.
        "duplicates_loading": Action.MARK_DUPLICATE in actions and not similarity.index_ready(),
        "suggestions": suggestions,
        "domain_suggestions": insight.suggested_domains(message.title, message.body),
        "classifier_figures": insight.classifier_figures(),
        "returned_by": sel.last_return(message),
        "assignments": message.assignments.select_related("unit").order_by("-round", "id"),
        "replies": message.replies.select_related("unit").order_by("-id"),
        "extension_requests": ExtensionRequest.objects.filter(
            assignment__message=message, status=ExtensionRequest.Status.PENDING
        ).select_related("assignment__unit"),
        "supervisions": message.supervisions.order_by("-created_at"),
        "events": timeline(message, staff=True).select_related("actor"),
        "seen": message_version(message),
        "follow_ups": message.follow_ups.select_related("assignment__unit").order_by("id"),
    }
    return render_desk(request, "desk/moderator/message.html", context)


def _to_message(request, message: Message):
    return back(request, "desk:moderate_message", message.pk)


@desk_view(MOD, post=True)
def screen(request, message_id: int):
    message = _message(request, message_id)
    perform_form(
        request,
        ScreenForm(request.POST),
        lambda data: services.screen_message(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            public_title=data["public_title"],
            public_body=data["public_body"],
            type=data["type"],
            domain=data["domain"],
            is_urgent=data["is_urgent"],
        ),
        done=_("Screening saved."),
    )
    return _to_message(request, message)


@desk_view(MOD, post=True)
def reject(request, message_id: int):
    message = _message(request, message_id)
    ok = perform_form(
        request,
        RejectForm(request.POST),
        lambda data: services.reject_message(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            reason=data["reason"],
            note=data["note"],
        ),
        done=_("The message was not accepted; the author is told why."),
    )
    return redirect("desk:screening") if ok else _to_message(request, message)


@desk_view(MOD)
def serial_search(request):
    """Find the original of a duplicate by the start of its serial (htmx fragment or page)."""
    exclude = parse_id(request.GET.get("exclude"))
    messages_in_scope = access.moderated_messages(request.scope)
    if exclude is not None:
        messages_in_scope = messages_in_scope.exclude(pk=exclude)
    # The duplicate form's field sends itself as `original_serial`; the search page as `q`.
    query = request.GET.get("q") or request.GET.get("original_serial") or ""
    found = sel.find_by_serial(messages_in_scope, query)
    return render_desk(
        request,
        "desk/moderator/serial_search.html",
        {"found": found, "q": query},
        partial="desk/moderator/_serial_results.html",
    )


@desk_view(MOD, post=True)
def duplicate(request, message_id: int):
    message = _message(request, message_id)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return _to_message(request, message)
    original = (
        access.moderated_messages(request.scope)
        .filter(serial=form.cleaned_data["original_serial"].strip())
        .first()
    )
    if original is None:
        messages.error(request, _("No message with that serial number in your region."))
        return _to_message(request, message)
    ok = perform(
        request,
        lambda: services.mark_duplicate(
            message_id=message.pk, seen=seen(request), original_id=original.pk, actor=request.user
        ),
        done=_("Marked as a duplicate of %(serial)s.") % {"serial": original.serial},
    )
    return redirect("desk:screening") if ok else _to_message(request, message)


@desk_view(MOD, post=True)
def dispatch(request, message_id: int):
    message = _message(request, message_id)
    ok = perform_form(
        request,
        DispatchForm(request.POST, candidates=sel.dispatch_candidates(message)),
        lambda data: services.dispatch_message(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            lead_unit=data["lead_unit"],
            co_units=data["co_units"],
            note=data["note"],
        ),
        done=lambda data: _("Dispatched to %(unit)s.") % {"unit": data["lead_unit"]},
    )
    if ok:
        warn_about_calendar(request, message.pk)
    return redirect("desk:screening") if ok else _to_message(request, message)


@desk_view(MOD, post=True)
def reopen(request, message_id: int):
    message = _message(request, message_id)
    ok = perform_form(
        request,
        ReopenForm(request.POST, candidates=sel.dispatch_candidates(message)),
        lambda data: services.reopen_message(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            unit=data["unit"],
            note=data["note"],
        ),
        done=_("Reopened for a second round."),
    )
    if ok:
        warn_about_calendar(request, message.pk)
    return redirect("desk:lookback") if ok else _to_message(request, message)


@desk_view(MOD, post=True)
def close(request, message_id: int):
    message = _message(request, message_id)
    form = NoteForm(request.POST)
    form.is_valid()
    ok = perform(
        request,
        lambda: services.close_message(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
        ),
        done=_("The message is closed."),
    )
    return redirect("desk:lookback") if ok else _to_message(request, message)


@desk_view(MOD, post=True)
def supervise(request, message_id: int):
    message = _message(request, message_id)
    return order_supervision(request, message, fallback="desk:moderate_message")


def order_supervision(request, message: Message, *, fallback: str):
    """Shared by moderators and leaders: the service checks who may order it."""
    form = SuperviseForm(request.POST)
    ok = perform_form(
        request,
        form,
        lambda data: services.supervise(
            message_id=message.pk,
            seen=seen(request),
            actor=request.user,
            level=data["level"],
            due_at=form.due_at(),
            note=data["note"],
        ),
        done=lambda data: (
            _("Ordered: %(level)s.")
            % {"level": SUPERVISION_LABELS[SupervisionLevel(data["level"])]}
        ),
    )
    if ok:
        warn_about_calendar(request, message.pk)
    return back(request, fallback, message.pk)


# --- follow-up answers --------------------------------------------------------------------


@desk_view(MOD, post=True)
def review_follow_up(request, follow_up_id: int):
    """Publish a unit's answer to a follow-up question under it, or send it back."""
    question = get_object_or_404(sel.follow_up_review_queue(request.scope), pk=follow_up_id)
    perform_form(
        request,
        FollowUpReviewForm(request.POST),
        lambda data: services.review_follow_up_answer(
            follow_up_id=question.pk,
            actor=request.user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        ),
        done=lambda data: (
            _("The answer is published under the question.")
            if data["decision"] == "approve"
            else _("The answer was sent back to the unit.")
        ),
    )
    return back(request, "desk:moderate_message", question.message_id)


# --- extensions ---------------------------------------------------------------------------


@desk_view(MOD, post=True)
def decide_extension(request, request_id: int):
    extension = get_object_or_404(
        sel.extension_queue(request.scope).select_related("assignment"), pk=request_id
    )
    ok = perform_form(
        request,
        ExtensionDecisionForm(request.POST),
        lambda data: services.decide_extension(
            request_id=extension.pk,
            actor=request.user,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
        done=lambda data: (
            _("Extension approved.") if data["decision"] == "approve" else _("Extension denied.")
        ),
    )
    if ok:
        warn_about_calendar(request, extension.assignment.message_id)
    return back(request, "desk:extensions")


# --- reply review -------------------------------------------------------------------------


def _reviewable_reply(request, reply_id: int) -> Reply:
    queryset = Reply.objects.filter(access.moderated_q(request.scope, "message__")).select_related(
        "message__board", "message__region", "unit", "assignment", "signed_off_by", "author"
    )
    return get_object_or_404(queryset, pk=reply_id)


@desk_view(MOD)
def reply_detail(request, reply_id: int):
    reply = _reviewable_reply(request, reply_id)
    message = reply.message
    hints = sel.phrase_hints(reply.body)
    if len(reply.body) < sel.MIN_REPLY_CHARS:
        hints.append(sel.QualityHint(_("The reply is very short; does it answer every point?")))
    context = {
        "reply": reply,
        "message": message,
        "hints": hints,
        "quality": insight.reply_quality(message, reply),
        "can_review": reply.state == ReplyState.UNDER_REVIEW,
        "return_form": ReasonForm(),
        "earlier": message.replies.exclude(pk=reply.pk).select_related("unit").order_by("-id"),
        "contributions": sel.contributions_for(reply.assignment),
        "attachments": reply.attachments.all(),
    }
    return render_desk(request, "desk/moderator/reply.html", context)


@desk_view(MOD, post=True)
def approve_reply(request, reply_id: int):
    reply = _reviewable_reply(request, reply_id)
    ok = perform(
        request,
        lambda: services.approve_reply(reply_id=reply.pk, actor=request.user),
        done=_("The reply is published."),
    )
    return redirect("desk:reply_queue") if ok else back(request, "desk:review_reply", reply.pk)


@desk_view(MOD, post=True)
def return_reply(request, reply_id: int):
    reply = _reviewable_reply(request, reply_id)
    ok = perform_form(
        request,
        ReasonForm(request.POST),
        lambda data: services.return_reply(
            reply_id=reply.pk, actor=request.user, reason=data["reason"]
        ),
        done=_("The reply was sent back to the unit."),
    )
    return redirect("desk:reply_queue") if ok else back(request, "desk:review_reply", reply.pk)
