"""Reads of campaigns: querysets and small figures for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from liuyan.board.access import region_chain_ids
from liuyan.directory.models import Membership
from liuyan.directory.selectors import work_calendar

from .models import Campaign, Decision, Suggestion, Theme


def campaigns_by_status(now: datetime) -> dict[str, list[Campaign]]:
    campaigns = Campaign.objects.select_related("organiser_board", "organiser_region")
    return {
        "running": list(campaigns.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at")),
        "upcoming": list(campaigns.filter(starts_at__gt=now).order_by("starts_at")),
        "closed": list(campaigns.filter(ends_at__lte=now).order_by("-ends_at")[:50]),
    }


def listed_suggestions(campaign: Campaign) -> QuerySet[Suggestion]:
    """The published public suggestions, most supported first (searching them: search.py)."""
    suggestions = campaign.suggestions.filter(
        status=Suggestion.Status.PUBLISHED, is_public=True
    ).select_related("decision")
    return suggestions.order_by("-support_count", "-submitted_at", "-pk")


def adopted_suggestions(campaign: Campaign) -> QuerySet[Suggestion]:
    return (
        campaign.suggestions.filter(
            status=Suggestion.Status.PUBLISHED,
            is_public=True,
            decision__outcome__in=[o.value for o in Decision.ADOPTING],
        )
        .select_related("decision__unit")
        .order_by("decision__decided_at", "pk")
    )


def awaiting_screening(campaign: Campaign) -> QuerySet[Suggestion]:
    return campaign.suggestions.filter(status=Suggestion.Status.SUBMITTED).order_by(
        "submitted_at", "pk"
    )


@dataclass(frozen=True)
class Figures:
    suggestions: int
    published: int
    supports: int
    themes: int
    sent: int
    decided: int
    adopted: int


def figures(campaign: Campaign) -> Figures:
    rows = campaign.suggestions.aggregate(
        total=Count("pk"),
        published=Count("pk", filter=Q(status=Suggestion.Status.PUBLISHED)),
        supports=Sum("support_count"),
        sent=Count("decision"),
        decided=Count("decision", filter=Q(decision__decided_at__isnull=False)),
        adopted=Count(
            "decision", filter=Q(decision__outcome__in=[o.value for o in Decision.ADOPTING])
        ),
    )
    return Figures(
        suggestions=rows["total"],
        published=rows["published"],
        supports=rows["supports"] or 0,
        themes=campaign.themes.count(),
        sent=rows["sent"],
        decided=rows["decided"],
        adopted=rows["adopted"],
    )


def themes_with_counts(campaign: Campaign) -> QuerySet[Theme]:
    return campaign.themes.annotate(
        size=Count("suggestions"), supports=Sum("suggestions__support_count")
    ).order_by("-size", "-supports", "pk")


def working_days_left(deadline: datetime | None, now: datetime) -> int | None:
    """The count-down to a response deadline, in working days (negative: overdue)."""
    if deadline is None:
        return None
    return work_calendar().working_days_between(now, deadline)


def adoption_by_unit(campaign: Campaign) -> list[dict]:
    return list(
        Decision.objects.filter(suggestion__campaign=campaign)
        .values("unit__name")
        .annotate(
            sent=Count("pk"),
            decided=Count("pk", filter=Q(decided_at__isnull=False)),
            adopted=Count("pk", filter=Q(outcome__in=[o.value for o in Decision.ADOPTING])),
        )
        .order_by("-adopted", "-sent", "unit__name")
    )


def pending_decisions(unit_ids) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(unit_id__in=unit_ids, decided_at__isnull=True)
        .select_related("suggestion__campaign", "unit")
        .order_by("sent_at", "pk")
    )


def organiser_user_ids(campaign: Campaign) -> list[int]:
    """Who answers for the organiser: the board's leaders and the staff of its default unit, or
    the leaders of the organising region."""
    if campaign.organiser_board is not None:
        board = campaign.organiser_board
        who = Q(role=Membership.Role.LEADER, board=board)
        if board.default_unit_id is not None:
            who |= Q(role__in=list(Membership.UNIT_ROLES), unit_id=board.default_unit_id)
    else:
        who = Q(role=Membership.Role.LEADER, region=campaign.organiser_region, board__isnull=True)
    return sorted(set(Membership.objects.filter(who).values_list("user_id", flat=True)))


# A response is "near its deadline" from one working day before it, as for a unit's reply.
RESPONSE_DUE_SOON_WORKING_DAYS = 1
RESPONSE_STAGES = ("due_soon", "overdue")


def responses_to_remind(now: datetime, stage: str) -> QuerySet[Suggestion]:
    """Suggestions past the support threshold whose organiser has not responded and that are
    near (`due_soon`) or past (`overdue`) the deadline, without a reminder of that stage yet.
    A suggestion already reminded as overdue is not reminded as near afterwards."""
    due = Suggestion.objects.filter(
        response_due_at__isnull=False, responded_at__isnull=True
    ).select_related("campaign__organiser_board__region", "campaign__organiser_region")
    if stage == "overdue":
        return due.filter(response_due_at__lt=now).exclude(response_reminded="overdue")
    cutoff = work_calendar().add_working_days(now, RESPONSE_DUE_SOON_WORKING_DAYS)
    return due.filter(response_due_at__gte=now, response_due_at__lte=cutoff, response_reminded="")


def campaign_moderator_ids(campaign: Campaign) -> list[int]:
    """The moderators of the campaign's region or a region above it, and those of everywhere."""
    regions = region_chain_ids(campaign.region)
    ids = Membership.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=regions), role=Membership.Role.MODERATOR
    ).values_list("user_id", flat=True)
    return sorted(set(ids))
