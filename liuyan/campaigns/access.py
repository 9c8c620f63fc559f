"""Who may see and do what in a campaign, for pages alike (the rules of board.access, applied to
suggestions).

- Moderators (and administrators) create and edit campaigns and screen suggestions, within the
  regions they moderate.
- The organiser is the campaign's board (its leaders and the staff of its default unit) or, for a
  region's office, the region's leaders; moderators of the region act for the organiser too.
- A private suggestion (不公开) is seen only by its author, moderators, the organiser and the unit
  it was sent to for a decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from liuyan.board.access import StaffScope, region_chain_ids, staff_scope

from .models import Campaign, Decision, Suggestion


def moderates(scope: StaffScope, campaign: Campaign | None = None) -> bool:
    if scope.moderates_everywhere:
        return True
    if not scope.moderated_region_ids:
        return False
    if campaign is None:
        return True
    return campaign.region.pk in scope.moderated_region_ids


def may_create_campaigns(user) -> bool:
    return moderates(staff_scope(user))


def may_edit(user, campaign: Campaign) -> bool:
    return moderates(staff_scope(user), campaign)


def organises(scope: StaffScope, campaign: Campaign) -> bool:
    if moderates(scope, campaign):
        return True
    board = campaign.organiser_board
    if board is not None:
        if board.pk in scope.leader_board_ids:
            return True
        return board.default_unit_id is not None and board.default_unit_id in scope.unit_ids
    return bool(region_chain_ids(campaign.region) & scope.leader_region_ids)


def may_organise(user, campaign: Campaign) -> bool:
    return organises(staff_scope(user), campaign)


def may_decide(user, decision: Decision) -> bool:
    return decision.unit_id in staff_scope(user).unit_ids


def can_view(user, suggestion: Suggestion) -> bool:
    """Published public suggestions are everyone's; anything else only for the people above."""
    if suggestion.is_listed:
        return True
    if user is None or not user.is_authenticated:
        return False
    if suggestion.author_id == user.pk:
        return True
    scope = staff_scope(user)
    if organises(scope, suggestion.campaign):
        return True
    decision = Decision.objects.filter(suggestion=suggestion).only("unit_id").first()
    return decision is not None and decision.unit_id in scope.unit_ids


def sees_original(user, suggestion: Suggestion) -> bool:
    """The unmasked text: the author and the organiser's side only; the public sees the masked."""
    if user is None or not user.is_authenticated:
        return False
    return suggestion.author_id == user.pk or organises(staff_scope(user), suggestion.campaign)


@dataclass(frozen=True)
class ExportRemit:
    """Which suggestions of a campaign someone may export, and in which words."""

    suggestions: QuerySet[Suggestion]
    public: bool  # only the published public ones, and only the public columns
    original: bool  # the author's own words rather than the masked ones


def export_remit(user, campaign: Campaign) -> ExportRemit:
    """The organiser's side: every suggestion of the campaign, as written. A unit: the ones sent
    to it, masked. Anyone else: the public export (published public suggestions, masked)."""
    scope = staff_scope(user)
    if organises(scope, campaign):
        return ExportRemit(campaign.suggestions.all(), public=False, original=True)
    if scope.unit_ids:
        sent = campaign.suggestions.filter(decision__unit_id__in=scope.unit_ids)
        if sent.exists():
            return ExportRemit(sent, public=False, original=False)
    return ExportRemit(campaign.suggestions.all(), public=True, original=False)
