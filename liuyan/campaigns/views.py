"""Campaign pages: thin views that parse input, ask access, call one service or selector, and
render. Public pages (list, campaign, suggestion) and the organiser's pages (screening, themes,
decisions) live here together, since they share one domain and one set of access rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liuyan.board.access import staff_scope
from liuyan.board.refusals import describe_refusal
from liuyan.web.inputs import parse_id, parse_ids

from . import access, export, report, search, selectors, services
from .forms import (
    CampaignForm,
    DecisionForm,
    ExportForm,
    ResponseForm,
    ScreenForm,
    SendForm,
    SuggestionForm,
)
from .models import Campaign, Decision, Suggestion, SuggestionImage, Support

PAGE_SIZE = 30


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, describe_refusal(error))


def _staff_page(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    query = request.GET.get("q", "").strip()[:100]
    page = max(parse_id(request.GET.get("page")) or 1, 1)
    hits, more = (
        search.search_suggestions(query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        if query
        else ([], False)
    )
    return render(
        request,
        "campaigns/list.html",
        {
            "query": query,
            "hits": hits,
            "next_page": page + 1 if more else None,
            "previous_page": page - 1 if page > 1 and query else None,
            "groups": selectors.campaigns_by_status(now),
            "may_create": access.may_create_campaigns(request.user),
            "decides": bool(staff_scope(request.user).unit_ids),
        },
    )


@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("organiser_board", "organiser_region"), pk=campaign_id
    )
    now = timezone.now()
    query = request.GET.get("q", "").strip()[:100]
    page = max(parse_id(request.GET.get("page")) or 1, 1)
    offset = (page - 1) * PAGE_SIZE
    if query:
        hits, more = search.search_suggestions(
            query, campaign_id=campaign.pk, offset=offset, limit=PAGE_SIZE
        )
        suggestions = []
    else:
        hits = []
        suggestions = list(selectors.listed_suggestions(campaign)[offset : offset + PAGE_SIZE + 1])
        more = len(suggestions) > PAGE_SIZE
    status = campaign.status_at(now)
    context = {
        "campaign": campaign,
        "status": status,
        "figures": selectors.figures(campaign),
        "suggestions": suggestions[:PAGE_SIZE],
        "hits": hits,
        "next_page": page + 1 if more else None,
        "previous_page": page - 1 if page > 1 else None,
        "query": query,
        "adopted": list(selectors.adopted_suggestions(campaign)[:20]),
        "form": SuggestionForm(campaign=campaign) if status == Campaign.Status.RUNNING else None,
        "may_edit": access.may_edit(request.user, campaign),
        "may_organise": access.may_organise(request.user, campaign),
        "export_form": ExportForm(initial={"format": "csv"}),
    }
    return render(request, "campaigns/campaign.html", context)


@require_GET
def campaign_image(request: HttpRequest, campaign_id: int) -> FileResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not campaign.image:
        raise Http404
    response = FileResponse(campaign.image.open("rb"))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id) if campaign_id else None
    allowed = (
        access.may_edit(request.user, campaign)
        if campaign
        else access.may_create_campaigns(request.user)
    )
    if not allowed:
        raise PermissionDenied(_("Only moderators and administrators edit campaigns."))
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_campaign(
                campaign=form.save(commit=False),
                topics=form.cleaned_data["topics"],
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaigns:campaign", saved.pk)
    return _staff_page(render(request, "campaigns/edit.html", {"form": form, "campaign": campaign}))


@login_required
@require_POST
def suggest(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = SuggestionForm(request.POST, request.FILES, campaign=campaign)
    if form.is_valid():
        try:
            suggestion = services.submit_suggestion(
                campaign=campaign,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                topic=form.cleaned_data["topic"],
                is_public=form.cleaned_data["is_public"],
                images=form.cleaned_data["images"],
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. Your suggestion will be published once it is screened.")
            )
            return redirect("campaigns:suggestion", suggestion.pk)
    return render(
        request, "campaigns/suggest.html", {"campaign": campaign, "form": form}, status=400
    )


def _visible_suggestion(request: HttpRequest, suggestion_id: int) -> Suggestion:
    suggestion = get_object_or_404(
        Suggestion.objects.select_related(
            "campaign__organiser_board", "campaign__organiser_region", "topic", "theme"
        ),
        pk=suggestion_id,
    )
    if not access.can_view(request.user, suggestion):
        raise Http404  # a private suggestion does not exist for anyone else
    return suggestion


@require_GET
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _visible_suggestion(request, suggestion_id)
    now = timezone.now()
    user = request.user
    supports = False
    if user.is_authenticated:
        supports = Support.objects.filter(
            suggestion=suggestion, user=user, withdrawn_at__isnull=True
        ).exists()
    decision = Decision.objects.filter(suggestion=suggestion).select_related("unit").first()
    may_organise = access.may_organise(user, suggestion.campaign)
    context = {
        "suggestion": suggestion,
        "campaign": suggestion.campaign,
        "original": access.sees_original(user, suggestion),
        "running": suggestion.campaign.status_at(now) == Campaign.Status.RUNNING,
        "supports": supports,
        "days_left": selectors.working_days_left(suggestion.response_due_at, now),
        "decision": decision,
        "may_organise": may_organise,
        "response_form": ResponseForm() if may_organise and suggestion.is_listed else None,
        "decision_form": DecisionForm()
        if decision and decision.decided_at is None and access.may_decide(user, decision)
        else None,
    }
    response = render(request, "campaigns/suggestion.html", context)
    if not suggestion.is_listed:
        add_never_cache_headers(response)
    return response


@require_GET
def suggestion_image(request: HttpRequest, suggestion_id: int, token: str) -> FileResponse:
    suggestion = _visible_suggestion(request, suggestion_id)
    image = get_object_or_404(SuggestionImage, suggestion=suggestion, token=token[:32])
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if not suggestion.is_listed:
        add_never_cache_headers(response)
    return response


@require_POST
def support(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    suggestion = _visible_suggestion(request, suggestion_id)
    service = services.withdraw_support if request.POST.get("withdraw") else services.support
    try:
        service(suggestion_id=suggestion.pk, user=request.user, now=timezone.now())
    except ValidationError as error:
        _refused(request, error)
    return redirect("campaigns:suggestion", suggestion.pk)


def _organised(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not access.may_organise(request.user, campaign):
        raise PermissionDenied(_("This page is for the campaign's organiser."))
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if not access.may_edit(request.user, campaign):
        raise PermissionDenied(_("Only moderators screen suggestions."))
    if request.method == "POST":
        form = ScreenForm(request.POST)
        suggestion_id = parse_id(request.POST.get("suggestion"))
        if form.is_valid() and suggestion_id:
            try:
                services.screen_suggestion(
                    suggestion_id=get_object_or_404(
                        Suggestion, pk=suggestion_id, campaign=campaign
                    ).pk,
                    actor=request.user,
                    publish=form.cleaned_data["verdict"] == "publish",
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, _("The suggestion was screened."))
        else:
            messages.error(request, _("Choose publish or reject."))
        return redirect("campaigns:screen", campaign.pk)
    waiting = list(selectors.awaiting_screening(campaign)[:PAGE_SIZE])
    return _staff_page(
        render(
            request,
            "campaigns/screen.html",
            {"campaign": campaign, "waiting": waiting, "form": ScreenForm()},
        )
    )


@login_required
@require_POST
def respond(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion, pk=suggestion_id)
    _organised(request, suggestion.campaign_id)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.respond(
                suggestion_id=suggestion.pk,
                actor=request.user,
                text=form.cleaned_data["text"],
                now=timezone.now(),
            )
        except ValidationError as error:
            _refused(request, error)
    else:
        messages.error(request, _("Write the response."))
    return redirect("campaigns:suggestion", suggestion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _organised(request, campaign_id)
    now = timezone.now()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "group":
                made = services.group_into_themes(campaign=campaign, now=now)
                messages.success(request, _("%(count)d new themes.") % {"count": made})
            elif action == "merge":
                services.merge_themes(
                    campaign=campaign, theme_ids=parse_ids(request.POST.getlist("theme"))
                )
            elif action == "rename":
                services.rename_theme(
                    campaign=campaign,
                    theme_id=parse_id(request.POST.get("theme")) or 0,
                    name=request.POST.get("name", "")[:120],
                )
            elif action == "split":
                services.split_theme(
                    campaign=campaign,
                    theme_id=parse_id(request.POST.get("theme")) or 0,
                    suggestion_ids=parse_ids(request.POST.getlist("suggestion")),
                    name=request.POST.get("name", "")[:120],
                    now=now,
                )
            elif action in ("send", "send_theme"):
                form = SendForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose a unit."))
                if action == "send_theme":  # the whole theme
                    theme_id = parse_id(request.POST.get("theme")) or 0
                    ids = list(
                        campaign.suggestions.filter(theme_id=theme_id).values_list("pk", flat=True)
                    )
                else:
                    ids = parse_ids(request.POST.getlist("suggestion"))
                sent = services.send_to_unit(
                    campaign=campaign,
                    suggestion_ids=ids,
                    unit=form.cleaned_data["unit"],
                    actor=request.user,
                    now=now,
                )
                messages.success(request, _("%(count)d suggestions sent.") % {"count": sent})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            _refused(request, error)
        return redirect(request.get_full_path())
    opened = parse_id(request.GET.get("theme"))
    opened_theme = campaign.themes.filter(pk=opened).first() if opened else None
    context = {
        "campaign": campaign,
        "themes": list(selectors.themes_with_counts(campaign)[:200]),
        "unthemed": campaign.suggestions.filter(
            status=Suggestion.Status.PUBLISHED, theme__isnull=True
        ).count(),
        "opened": opened_theme,
        "members": list(
            opened_theme.suggestions.select_related("decision__unit").order_by(
                "-support_count", "pk"
            )[:200]
        )
        if opened_theme
        else [],
        "due": campaign.suggestions.filter(
            threshold_reached_at__isnull=False, responded_at__isnull=True
        ).order_by("response_due_at"),
        "send_form": SendForm(),
    }
    return _staff_page(render(request, "campaigns/themes.html", context))


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    scope = staff_scope(request.user)
    if not scope.unit_ids:
        raise PermissionDenied(_("This page is for unit staff."))
    pending = list(selectors.pending_decisions(scope.unit_ids)[:100])
    return _staff_page(render(request, "campaigns/decisions.html", {"pending": pending}))


@login_required
@require_POST
def decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    # A foreign-key lookup is not guarded like a primary key: an id past 64 bits is a 404 here.
    if parse_id(str(suggestion_id)) is None:
        raise Http404
    decision = get_object_or_404(Decision, suggestion_id=suggestion_id)
    if not access.may_decide(request.user, decision):
        raise PermissionDenied(_("Only the unit the suggestion was sent to decides on it."))
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.record_decision(
                decision_id=decision.pk,
                actor=request.user,
                now=timezone.now(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The decision was recorded; the proposer is told."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("campaigns:suggestion", suggestion_id)


def _reported(request: HttpRequest, campaign_id: int) -> Campaign:
    """The report is public once the campaign has closed; the organiser may look before."""
    campaign = get_object_or_404(
        Campaign.objects.select_related("organiser_board", "organiser_region"), pk=campaign_id
    )
    closed = campaign.status_at(timezone.now()) == Campaign.Status.CLOSED
    if not closed and not access.may_organise(request.user, campaign):
        raise Http404
    return campaign


@require_GET
def campaign_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _reported(request, campaign_id)
    return render(request, "campaigns/report/page.html", report.report_context(campaign))


@require_GET
def campaign_report_pdf(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _reported(request, campaign_id)
    response = HttpResponse(report.report_pdf(campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="campaign-{campaign.pk}.pdf"'
    return response


@require_GET
def campaign_export(request: HttpRequest, campaign_id: int) -> StreamingHttpResponse:
    """The campaign's suggestions as CSV, XLSX or JSON Lines, streamed: for the public the
    published public ones, masked; for staff what campaigns.access gives them."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    remit = access.export_remit(request.user, campaign)
    chosen = export.SuggestionFilter(status=data["status"], outcome=data["outcome"])
    fmt = data["format"]
    response = StreamingHttpResponse(
        export.pieces(
            fmt, chosen.apply(remit.suggestions), public=remit.public, original=remit.original
        ),
        content_type=export.CONTENT_TYPES[fmt],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"liuyan-campaign-{campaign.pk}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)  # what it holds depends on who asks
    return response
