"""Unit workbench: the inbox, one assignment (accept, return, transfer, invite, extension,
reply, part for co-handling), the head's sign-off, reply templates and the reply archive."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from liuyan.board import access, services
from liuyan.board.access import can_see_contact, roles_for
from liuyan.board.models import Attachment, ExtensionRequest, FollowUp, Reply
from liuyan.board.refusals import describe_refusal
from liuyan.board.selectors import timeline
from liuyan.core.lifecycle import (
    EDITABLE_REPLY_STATES,
    AssignmentKind,
    AssignmentState,
    LifecycleError,
    Role,
    allowed_actions,
)
from liuyan.directory.models import Unit
from liuyan.web.inputs import parse_id, parse_ids

from .. import selectors as sel
from .. import services as desk_services
from ..forms import (
    AttachmentForm,
    ContributionForm,
    ExtensionRequestForm,
    FollowUpAnswerForm,
    InviteForm,
    ReasonForm,
    ReplyForm,
    ReplyTemplateForm,
    TransferForm,
)
from ..models import ReplyTemplate
from .common import (
    back,
    desk_view,
    form_refused,
    perform,
    perform_form,
    render_desk,
    warn_about_calendar,
)

UNIT = access.UNIT


# --- inbox -------------------------------------------------------------------------------


def _inbox_filters(request) -> dict:
    unit = request.GET.get("unit", "")
    return {
        "state": request.GET.get("state", "open"),
        "kind": request.GET.get("kind", ""),
        "due": request.GET.get("due", ""),
        "unit_id": parse_id(unit),
        "serial": request.GET.get("serial", "").strip(),
    }


@desk_view(UNIT)
def inbox(request):
    now = timezone.now()
    filters = _inbox_filters(request)
    queryset = sel.unit_inbox(request.scope, now=now, **filters)
    page = sel.keyset_page(queryset, key="due_at", cursor=request.GET.get("after"))
    context = {
        "rows": [(a, sel.timer_for_assignment(a, now=now)) for a in page.items],
        "page": page,
        "filters": filters,
        "units": Unit.objects.filter(pk__in=request.scope.unit_ids),
        "signoff_count": sel.bounded_count(sel.signoff_queue(request.scope)),
        "follow_ups": [
            (question, sel.timer_for_deadline(question.answer_by, now=now))
            for question in sel.open_follow_ups(request.scope)[: sel.PAGE_SIZE]
        ],
        "query": request.GET.urlencode(),
    }
    return render_desk(
        request, "desk/unit/inbox.html", context, partial="desk/unit/_inbox_rows.html"
    )


@desk_view(UNIT, post=True)
def bulk_accept(request):
    ids = parse_ids(request.POST.getlist("assignment"))
    chosen = access.unit_assignments(request.scope).filter(
        pk__in=ids, state=AssignmentState.PENDING, kind=AssignmentKind.LEAD
    )
    accepted, refused = 0, []
    for assignment in chosen.select_related("message"):
        try:
            services.accept_assignment(assignment_id=assignment.pk, actor=request.user)
            accepted += 1
        except (ValidationError, LifecycleError) as error:  # report each refusal, go on
            refused.append(f"{assignment.message.serial}：{describe_refusal(error)}")
    if accepted:
        messages.success(request, _("%(n)d accepted.") % {"n": accepted})
    if refused:
        messages.error(request, " ".join(refused))
    if not ids:
        messages.error(request, _("Tick the messages to accept."))
    return back(request, "desk:inbox")


# --- one assignment ----------------------------------------------------------------------


def _assignment(request, assignment_id: int):
    return get_object_or_404(
        access.unit_assignments(request.scope).select_related(
            "message__board", "message__region", "message__domain", "unit", "parent__unit"
        ),
        pk=assignment_id,
    )


def _to_assignment(request, assignment):
    return back(request, "desk:assignment", assignment.pk)


def _reply_initial(request, assignment, reply) -> str:
    """The text for the reply box: the draft, or a template the handler picked (no-JS path)."""
    template_id = parse_id(request.GET.get("template", ""))
    if template_id is not None:
        template = sel.templates_for([assignment.unit_id]).filter(pk=template_id).first()
        if template is not None:
            return template.body
    return reply.body if reply is not None and reply.state in EDITABLE_REPLY_STATES else ""


@desk_view(UNIT)
def assignment_detail(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    message = assignment.message
    roles = roles_for(request.user, message, unit=assignment.unit)
    reply = sel.current_reply(assignment)
    now = timezone.now()
    is_lead = assignment.kind == AssignmentKind.LEAD
    context = {
        "assignment": assignment,
        "message": message,
        "contact": getattr(message, "contact", None)
        if can_see_contact(request.user, message, assignment=assignment)
        else None,
        "timer": sel.timer_for_assignment(assignment, now=now),
        "actions": allowed_actions(message.lifecycle_state, roles) if assignment.is_active else [],
        "is_lead": is_lead,
        "is_head": Role.HEAD in roles,
        "needs_signoff": assignment.unit.needs_head_signoff and Role.HEAD not in roles,
        "reply": reply,
        "reply_editable": reply is None or reply.state in EDITABLE_REPLY_STATES,
        "reply_form": ReplyForm(initial={"body": _reply_initial(request, assignment, reply)}),
        "templates": sel.templates_for([assignment.unit_id]),
        "attachment_form": AttachmentForm(),
        "attachments": reply.attachments.all() if reply is not None else [],
        "return_form": ReasonForm(),
        "refuse_form": ReasonForm(),
        "transfer_form": TransferForm(targets=sel.transfer_targets(assignment)),
        "has_sub_units": sel.transfer_targets(assignment).exists(),
        "invite_form": InviteForm(candidates=sel.co_unit_candidates(assignment)),
        "extension_form": ExtensionRequestForm(),
        "extension_requests": assignment.extension_requests.order_by("-created_at"),
        "has_pending_extension": assignment.extension_requests.filter(
            status=ExtensionRequest.Status.PENDING
        ).exists(),
        "contribution_form": ContributionForm(),
        "contributions": sel.contributions_for(assignment) if is_lead else [],
        "my_contributions": assignment.contributions.all() if not is_lead else [],
        "co_assignments": sel.co_assignments(assignment) if is_lead else [],
        "events": timeline(message, staff=True).select_related("actor"),
        "follow_ups": [
            (question, sel.timer_for_deadline(question.answer_by, now=now))
            for question in sel.follow_ups_for(assignment)
        ],
        "follow_up_form": FollowUpAnswerForm(),
    }
    return render_desk(request, "desk/unit/assignment.html", context)


@desk_view(UNIT, post=True)
def answer_follow_up(request, follow_up_id: int):
    """The unit answers a follow-up question; the answer goes to the moderators' review."""
    question = get_object_or_404(
        FollowUp.objects.filter(assignment__unit_id__in=request.scope.unit_ids), pk=follow_up_id
    )
    perform_form(
        request,
        FollowUpAnswerForm(request.POST),
        lambda data: services.answer_follow_up(
            follow_up_id=question.pk, actor=request.user, body=data["answer"]
        ),
        done=_("The answer was sent to the platform for review."),
    )
    return back(request, "desk:assignment", question.assignment_id)


@desk_view(UNIT, post=True)
def accept(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    ok = perform(
        request,
        lambda: services.accept_assignment(assignment_id=assignment.pk, actor=request.user),
        done=_("Accepted. The reply clock has started."),
    )
    if ok:
        warn_about_calendar(request, assignment.message_id)
    return _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def return_assignment(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    ok = perform_form(
        request,
        ReasonForm(request.POST),
        lambda data: services.return_assignment(
            assignment_id=assignment.pk, actor=request.user, reason=data["reason"]
        ),
        done=_("Returned to the platform to be routed again."),
    )
    return redirect("desk:inbox") if ok else _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def transfer(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    ok = perform_form(
        request,
        TransferForm(request.POST, targets=sel.transfer_targets(assignment)),
        lambda data: services.transfer_assignment(
            assignment_id=assignment.pk,
            actor=request.user,
            to_unit=data["to_unit"],
            note=data["note"],
        ),
        done=lambda data: _("Transferred to %(unit)s.") % {"unit": data["to_unit"]},
    )
    return redirect("desk:inbox") if ok else _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def invite(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    perform_form(
        request,
        InviteForm(request.POST, candidates=sel.co_unit_candidates(assignment)),
        lambda data: services.invite_co_units(
            assignment_id=assignment.pk, actor=request.user, units=data["units"]
        ),
        done=_("Co-handling units invited."),
    )
    return _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def request_extension(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    perform_form(
        request,
        ExtensionRequestForm(request.POST),
        lambda data: services.request_extension(
            assignment_id=assignment.pk,
            actor=request.user,
            reason=data["reason"],
            days=data["days"],
        ),
        done=_("Extension requested; the platform decides."),
    )
    return _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def write_reply(request, assignment_id: int):
    """One form, two buttons: keep the draft, or send it on (to the head where the unit
    requires sign-off, else to the moderators' review; `submit_reply` decides)."""
    assignment = _assignment(request, assignment_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return _to_assignment(request, assignment)
    body = form.cleaned_data["body"]
    if "submit" in request.POST:
        perform(
            request,
            lambda: services.submit_reply(
                assignment_id=assignment.pk, actor=request.user, body=body
            ),
            done=_("The reply was sent on."),
        )
    else:
        perform(
            request,
            lambda: services.save_reply_draft(
                assignment_id=assignment.pk, actor=request.user, body=body
            ),
            done=_("Draft saved."),
        )
    return _to_assignment(request, assignment)


@desk_view(UNIT, post=True)
def contribute(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    perform_form(
        request,
        ContributionForm(request.POST),
        lambda data: services.contribute(
            assignment_id=assignment.pk, actor=request.user, body=data["body"]
        ),
        done=_("Your part was given to the lead unit."),
    )
    return _to_assignment(request, assignment)


# --- attachments -------------------------------------------------------------------------


def _editable_reply_of(assignment) -> Reply | None:
    return assignment.replies.filter(state__in=EDITABLE_REPLY_STATES).order_by("-id").first()


@desk_view(UNIT, post=True)
def upload_attachment(request, assignment_id: int):
    assignment = _assignment(request, assignment_id)
    reply = _editable_reply_of(assignment)
    form = AttachmentForm(request.POST, request.FILES)
    if reply is None:
        messages.error(request, _("Save a draft of the reply first, then attach files."))
    elif not form.is_valid():
        form_refused(request, form)
    else:
        perform(
            request,
            lambda: desk_services.attach_to_reply(
                reply=reply, upload=form.cleaned_data["file"], actor=request.user
            ),
            done=_("File attached."),
        )
    return _to_assignment(request, assignment)


def _attachment_in_scope(request, attachment_id: int) -> tuple[Attachment, Reply]:
    """Attachments of replies of the user's units (moderators reach them from the review),
    with their reply, which the query makes sure of (the field itself is nullable)."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("reply__message"), pk=attachment_id, reply__isnull=False
    )
    reply = attachment.reply
    assert reply is not None, "reply__isnull=False above"
    scope = request.scope
    in_unit = reply.unit_id in scope.unit_ids
    moderated = access.moderated_messages(scope).filter(pk=reply.message_id).exists()
    if not (in_unit or (scope.is_moderator and moderated)):
        raise Http404
    return attachment, reply


@desk_view(post=True)
def remove_attachment(request, attachment_id: int):
    attachment, reply = _attachment_in_scope(request, attachment_id)
    if reply.unit_id not in request.scope.unit_ids:
        raise Http404
    perform(
        request,
        lambda: desk_services.remove_reply_attachment(attachment=attachment),
        done=_("File removed."),
    )
    return back(request, "desk:assignment", reply.assignment_id)


@desk_view()
def download_attachment(request, attachment_id: int):
    attachment, _reply = _attachment_in_scope(request, attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=f"{attachment.token}.{attachment.extension}",
        content_type=attachment.content_type,
    )


# --- the head's sign-off -----------------------------------------------------------------


def _reply_to_sign(request, reply_id: int) -> Reply:
    return get_object_or_404(
        Reply.objects.filter(unit_id__in=request.scope.headed_unit_ids).select_related(
            "assignment", "message"
        ),
        pk=reply_id,
    )


@desk_view(UNIT)
def signoff_queue(request):
    page = sel.keyset_page(
        sel.signoff_queue(request.scope), key="submitted_at", cursor=request.GET.get("after")
    )
    return render_desk(request, "desk/unit/signoff.html", {"page": page})


@desk_view(UNIT, post=True)
def sign_off(request, reply_id: int):
    reply = _reply_to_sign(request, reply_id)
    perform(
        request,
        lambda: services.sign_off_reply(reply_id=reply.pk, actor=request.user),
        done=_("Signed off; the reply goes to the platform's review."),
    )
    return back(request, "desk:assignment", reply.assignment_id)


@desk_view(UNIT, post=True)
def refuse_signoff(request, reply_id: int):
    reply = _reply_to_sign(request, reply_id)
    perform_form(
        request,
        ReasonForm(request.POST),
        lambda data: services.refuse_signoff(
            reply_id=reply.pk, actor=request.user, reason=data["reason"]
        ),
        done=_("The reply was sent back to the handler."),
    )
    return back(request, "desk:assignment", reply.assignment_id)


# --- reply templates and the archive ------------------------------------------------------


def _headed_units(request):
    return Unit.objects.filter(pk__in=request.scope.headed_unit_ids)


@desk_view(UNIT)
def templates(request):
    scope = request.scope
    context = {
        "templates": sel.templates_for(scope.unit_ids),
        "can_manage": scope.is_head,
        "form": ReplyTemplateForm(units=_headed_units(request)) if scope.is_head else None,
    }
    return render_desk(request, "desk/unit/templates.html", context)


@desk_view(UNIT)
def template_text(request, template_id: int):
    """A template's text in the reply box (htmx swaps the textarea)."""
    template = get_object_or_404(sel.templates_for(request.scope.unit_ids), pk=template_id)
    return render_desk(
        request,
        "desk/unit/template_text.html",
        {"form": ReplyForm(initial={"body": template.body}), "template": template},
        partial="desk/unit/_reply_box.html",
    )


def _save_template(request, template: ReplyTemplate | None):
    scope = request.scope
    form = ReplyTemplateForm(request.POST, instance=template, units=_headed_units(request))
    if not form.is_valid():
        form_refused(request, form)
        return redirect("desk:templates")
    data = form.cleaned_data
    perform(
        request,
        lambda: desk_services.save_reply_template(
            scope=scope,
            unit_id=data["unit"].pk,
            title=data["title"],
            body=data["body"],
            template_id=template.pk if template else None,
        ),
        done=_("Template saved."),
    )
    return redirect("desk:templates")


@desk_view(UNIT, post=True)
def create_template(request):
    if not request.scope.is_head:
        raise Http404
    return _save_template(request, None)


def _headed_template(request, template_id: int) -> ReplyTemplate:
    return get_object_or_404(
        ReplyTemplate.objects.filter(unit_id__in=request.scope.headed_unit_ids), pk=template_id
    )


@desk_view(UNIT)
def edit_template(request, template_id: int):
    template = _headed_template(request, template_id)
    if request.method == "POST":
        return _save_template(request, template)
    form = ReplyTemplateForm(instance=template, units=_headed_units(request))
    return render_desk(
        request, "desk/unit/template_edit.html", {"template": template, "form": form}
    )


@desk_view(UNIT, post=True)
def delete_template(request, template_id: int):
    template = _headed_template(request, template_id)
    try:
        desk_services.delete_reply_template(scope=request.scope, template_id=template.pk)
        messages.success(request, _("Template deleted."))
    except ValidationError as error:  # pragma: no cover - nothing refuses today
        messages.error(request, describe_refusal(error))
    return redirect("desk:templates")


@desk_view(UNIT)
def archive(request):
    query = request.GET.get("q", "")
    page = sel.keyset_page(
        sel.published_replies(request.scope, query=query),
        key="published_at",
        cursor=request.GET.get("after"),
        descending=True,
        size=10 if request.GET.get("compact") else sel.PAGE_SIZE,
    )
    return render_desk(
        request,
        "desk/unit/archive.html",
        {"page": page, "q": query},
        partial="desk/unit/_archive_rows.html",
    )
