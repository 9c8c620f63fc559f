"""Every write of a campaign: plain functions with keyword-only arguments, each in a transaction,
validating before saving (like board.services)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from liuyan.directory.models import Unit
from liuyan.directory.selectors import work_calendar
from liuyan.insight.masking import mask_public

from . import search, selectors
from .models import (
    REJECT_REASON_CHOICES,
    Campaign,
    Decision,
    Suggestion,
    SuggestionImage,
    Support,
    Theme,
)
from .signals import decision_recorded, threshold_reached

# Anti-abuse limits, per citizen (the sign-in rules already bind an account to one phone).
SUGGESTIONS_PER_DAY = 10
SUPPORT_CHANGES_PER_HOUR = 30


# --- campaigns -----------------------------------------------------------------------------


@transaction.atomic
def save_campaign(*, campaign: Campaign, topics: Iterable, actor, now: datetime) -> Campaign:
    campaign.full_clean(exclude=["created_at", "updated_at"])
    if campaign.pk is None:
        campaign.created_by = actor
        campaign.created_at = now
    campaign.updated_at = now
    campaign.save()
    campaign.topics.set(list(topics))
    return campaign


# --- suggestions ---------------------------------------------------------------------------


@transaction.atomic
def submit_suggestion(
    *,
    campaign: Campaign,
    author,
    title: str,
    body: str,
    topic,
    is_public: bool,
    now: datetime,
    images: Iterable[tuple[bytes, str, str]] = (),
) -> Suggestion:
    """A citizen's suggestion, waiting for screening; `images` are already re-encoded
    (liuyan.web.images.clean_image)."""
    if campaign.status_at(now) != Campaign.Status.RUNNING:
        raise ValidationError(_("This campaign is not taking suggestions now."))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("A suggestion needs a title and a text."))
    if (
        topic is not None
        and campaign.topics.exists()
        and not campaign.topics.filter(pk=topic.pk).exists()
    ):
        raise ValidationError(_("Choose one of the campaign's topics."))
    today = Suggestion.objects.filter(author=author, submitted_at__gte=now - timedelta(days=1))
    if today.count() >= SUGGESTIONS_PER_DAY:
        raise ValidationError(
            _("You have sent %(count)d suggestions today; please come back tomorrow.")
            % {"count": SUGGESTIONS_PER_DAY}
        )
    suggestion = Suggestion(
        campaign=campaign,
        author=author,
        title=title,
        body=body,
        topic=topic,
        is_public=is_public,
        submitted_at=now,
    )
    suggestion.full_clean()
    suggestion.save()
    for data, extension, content_type in images:
        image = SuggestionImage(
            suggestion=suggestion,
            token=secrets.token_hex(16),
            extension=extension,
            content_type=content_type,
            created_at=now,
        )
        image.file.save(f"image.{extension}", ContentFile(data), save=False)
        image.save()
    return suggestion


@transaction.atomic
def screen_suggestion(
    *,
    suggestion_id: int,
    actor,
    publish: bool,
    reason: str = "",
    note: str = "",
    now: datetime,
) -> Suggestion:
    """Publish (masked, as for messages) or reject with one of the messages' reasons."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
    if suggestion.status != Suggestion.Status.SUBMITTED:
        raise ValidationError(_("This suggestion was already screened. Nothing was changed."))
    if publish:
        suggestion.status = Suggestion.Status.PUBLISHED
        suggestion.public_title = mask_public(suggestion.title)
        suggestion.public_body = mask_public(suggestion.body)
        suggestion.search_text = search.search_text_for(
            suggestion.public_title, suggestion.public_body
        )
        suggestion.reject_reason = ""
    else:
        valid = {value for value, _label in REJECT_REASON_CHOICES}
        if reason not in valid:
            raise ValidationError(_("Choose a reason for rejecting the suggestion."))
        suggestion.status = Suggestion.Status.REJECTED
        suggestion.reject_reason = reason
        suggestion.reject_note = note.strip()[:300]
    suggestion.screened_by = actor
    suggestion.screened_at = now
    suggestion.save()
    return suggestion


# --- supports ------------------------------------------------------------------------------


def _check_support_allowed(suggestion: Suggestion, user, now: datetime) -> None:
    if not suggestion.is_listed:
        raise ValidationError(_("Only published public suggestions can be supported."))
    if suggestion.campaign.status_at(now) != Campaign.Status.RUNNING:
        raise ValidationError(_("The campaign is closed; supports can no longer change."))
    if suggestion.author_id == user.pk:
        raise ValidationError(_("You cannot support your own suggestion."))
    recent = Support.objects.filter(user=user, changed_at__gt=now - timedelta(hours=1)).count()
    if recent >= SUPPORT_CHANGES_PER_HOUR:
        raise ValidationError(_("Too many supports in one hour; please try again later."))


@transaction.atomic
def support(*, suggestion_id: int, user, now: datetime) -> Suggestion:
    """Back a suggestion (附议): once per citizen. Reaching the campaign's threshold starts the
    organiser's response clock, counted in working days."""
    suggestion = (
        Suggestion.objects.select_for_update().select_related("campaign").get(pk=suggestion_id)
    )
    _check_support_allowed(suggestion, user, now)
    row = Support.objects.select_for_update().filter(suggestion=suggestion, user=user).first()
    if row is not None and row.withdrawn_at is None:
        raise ValidationError(_("You already support this suggestion."))
    if row is None:
        Support.objects.create(suggestion=suggestion, user=user, created_at=now, changed_at=now)
    else:
        row.withdrawn_at = None
        row.changed_at = now
        row.save(update_fields=["withdrawn_at", "changed_at"])
    Suggestion.objects.filter(pk=suggestion.pk).update(support_count=F("support_count") + 1)
    suggestion.refresh_from_db(fields=["support_count"])
    campaign = suggestion.campaign
    if (
        suggestion.threshold_reached_at is None
        and suggestion.support_count >= campaign.support_threshold
    ):
        suggestion.threshold_reached_at = now
        suggestion.response_due_at = work_calendar().add_working_days(now, campaign.response_days)
        suggestion.save(update_fields=["threshold_reached_at", "response_due_at"])
        threshold_reached.send(
            sender=Suggestion,
            suggestion=suggestion,
            recipient_ids=selectors.organiser_user_ids(campaign),
        )
    return suggestion


@transaction.atomic
def withdraw_support(*, suggestion_id: int, user, now: datetime) -> Suggestion:
    suggestion = (
        Suggestion.objects.select_for_update().select_related("campaign").get(pk=suggestion_id)
    )
    _check_support_allowed(suggestion, user, now)
    row = Support.objects.select_for_update().filter(suggestion=suggestion, user=user).first()
    if row is None or row.withdrawn_at is not None:
        raise ValidationError(_("You do not support this suggestion."))
    row.withdrawn_at = now
    row.changed_at = now
    row.save(update_fields=["withdrawn_at", "changed_at"])
    Suggestion.objects.filter(pk=suggestion.pk).update(support_count=F("support_count") - 1)
    suggestion.refresh_from_db(fields=["support_count"])
    return suggestion


@transaction.atomic
def respond(*, suggestion_id: int, actor, text: str, now: datetime) -> Suggestion:
    """The organiser's public response to a suggestion that reached the threshold."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion_id)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the response."))
    if not suggestion.is_listed:
        raise ValidationError(_("Only published public suggestions get a public response."))
    suggestion.response = text
    suggestion.responded_at = now
    suggestion.responded_by = actor
    suggestion.save(update_fields=["response", "responded_at", "responded_by"])
    return suggestion


def claim_response_reminder(*, suggestion_id: int, stage: str) -> bool:
    """Mark the reminder of `stage` ("due_soon" or "overdue") as sent; False when it was sent
    already (by this tick or a concurrent one), or a later stage was. One conditional UPDATE,
    so two ticks at the same moment cannot both claim it."""
    earlier = {"due_soon": [""], "overdue": ["", "due_soon"]}[stage]
    claimed = Suggestion.objects.filter(
        pk=suggestion_id, responded_at__isnull=True, response_reminded__in=earlier
    ).update(response_reminded=stage)
    return claimed == 1


# --- themes --------------------------------------------------------------------------------


@transaction.atomic
def group_into_themes(*, campaign: Campaign, now: datetime) -> int:
    """Sort the campaign's published suggestions that have no theme yet into themes (the hot-issue
    clustering of liuyan.insight), each named by its most typical suggestion. Themes the organiser
    has shaped (merged, split, renamed) are kept. Returns how many themes were made."""
    # Imported here, not with the views: it brings numpy and scipy.sparse, which a new web
    # process would otherwise import before answering its first page (bench/first_request.py).
    from liuyan.insight import hot

    loose = list(
        campaign.suggestions.filter(status=Suggestion.Status.PUBLISHED, theme__isnull=True)
        .only("pk", "public_title", "public_body", "submitted_at", "support_count")
        .order_by("pk")
    )
    texts = [
        hot.HotMessage(
            id=s.pk,
            title=s.public_title,
            body=s.public_body,
            time=s.submitted_at,
            likes=s.support_count,
        )
        for s in loose
    ]
    made = 0
    for indices, name in hot.themes(texts):
        theme = Theme.objects.create(campaign=campaign, name=name[:120], created_at=now)
        Suggestion.objects.filter(pk__in=[loose[i].pk for i in indices]).update(theme=theme)
        made += 1
    return made


def _campaign_themes(campaign: Campaign, ids: Iterable[int]) -> list[Theme]:
    themes = list(Theme.objects.select_for_update().filter(campaign=campaign, pk__in=list(ids)))
    return themes


@transaction.atomic
def merge_themes(*, campaign: Campaign, theme_ids: Iterable[int]) -> Theme:
    themes = sorted(_campaign_themes(campaign, theme_ids), key=lambda t: t.pk)
    if len(themes) < 2:
        raise ValidationError(_("Choose at least two themes to merge."))
    into, others = themes[0], themes[1:]
    Suggestion.objects.filter(theme__in=others).update(theme=into)
    Theme.objects.filter(pk__in=[t.pk for t in others]).delete()
    return into


@transaction.atomic
def rename_theme(*, campaign: Campaign, theme_id: int, name: str) -> Theme:
    themes = _campaign_themes(campaign, [theme_id])
    name = name.strip()
    if not themes or not name:
        raise ValidationError(_("Give the theme a name."))
    theme = themes[0]
    theme.name = name[:120]
    theme.renamed = True
    theme.save(update_fields=["name", "renamed"])
    return theme


@transaction.atomic
def split_theme(
    *, campaign: Campaign, theme_id: int, suggestion_ids: Iterable[int], name: str, now: datetime
) -> Theme:
    """Move some suggestions out of a theme into a new one."""
    themes = _campaign_themes(campaign, [theme_id])
    if not themes:
        raise ValidationError(_("Choose a theme."))
    moving = Suggestion.objects.filter(theme=themes[0], pk__in=list(suggestion_ids))
    if not moving.exists():
        raise ValidationError(_("Choose the suggestions to move out of the theme."))
    first = moving.order_by("-support_count", "pk").first()
    assert first is not None
    name = name.strip() or first.public_title
    new = Theme.objects.create(
        campaign=campaign, name=name[:120], renamed=bool(name), created_at=now
    )
    moving.update(theme=new)
    return new


# --- decisions -----------------------------------------------------------------------------


@transaction.atomic
def send_to_unit(
    *, campaign: Campaign, suggestion_ids: Iterable[int], unit: Unit, actor, now: datetime
) -> int:
    """Send suggestions (or a whole theme's) to a unit for a decision; one unit per suggestion,
    and a decided suggestion stays decided. Returns how many were sent."""
    suggestions = list(
        campaign.suggestions.select_for_update()
        .filter(pk__in=list(suggestion_ids), status=Suggestion.Status.PUBLISHED)
        .order_by("pk")
    )
    sent = 0
    for suggestion in suggestions:
        decision = Decision.objects.filter(suggestion=suggestion).first()
        if decision is not None and decision.decided_at is not None:
            continue
        if decision is None:
            decision = Decision(suggestion=suggestion)
        decision.unit = unit
        decision.sent_by = actor
        decision.sent_at = now
        decision.save()
        sent += 1
    if not sent:
        raise ValidationError(_("Nothing to send: choose suggestions not decided yet."))
    return sent


@transaction.atomic
def record_decision(
    *,
    decision_id: int,
    actor,
    outcome: str,
    reason: str,
    change: str = "",
    change_link: str = "",
    now: datetime,
) -> Decision:
    decision = Decision.objects.select_for_update().select_related("suggestion").get(pk=decision_id)
    if decision.decided_at is not None:
        raise ValidationError(_("This suggestion was already decided. Nothing was changed."))
    if outcome not in Decision.Outcome.values:
        raise ValidationError(_("Choose a decision."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."))
    if outcome in Decision.ADOPTING and not change.strip():
        raise ValidationError(_("Say what changed because of the suggestion."))
    decision.outcome = outcome
    decision.reason = reason.strip()
    decision.change = change.strip()
    decision.change_link = change_link.strip()
    decision.decided_by = actor
    decision.decided_at = now
    decision.full_clean()
    decision.save()
    suggestion = decision.suggestion
    supporters = Support.objects.filter(suggestion=suggestion, withdrawn_at__isnull=True)
    recipient_ids = {suggestion.author_id, *supporters.values_list("user_id", flat=True)}
    decision_recorded.send(sender=Decision, decision=decision, recipient_ids=sorted(recipient_ids))
    return decision
