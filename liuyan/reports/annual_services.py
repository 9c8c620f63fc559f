"""Writes for the annual report: the notable solved cases moderators choose."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from liuyan.board.access import is_publicly_visible, staff_scope
from liuyan.board.models import Message
from liuyan.core.lifecycle import ReplyState, State
from liuyan.directory.models import Region
from liuyan.insight.masking import mask_public

from .annual_models import AnnualCase

SOLVED_STATES = (State.REPLIED, State.CLOSED)


def may_choose_cases(user, region: Region | None) -> bool:
    scope = staff_scope(user)
    if region is None:
        return scope.moderates_everywhere
    return scope.moderates_everywhere or region.pk in scope.moderated_region_ids


@transaction.atomic
def choose_case(
    *, year: int, region: Region | None, serial: str, summary: str, actor, now: datetime
) -> AnnualCase:
    """Add a public, answered message as a case of the year's report; the account is masked,
    since the report is public."""
    if not may_choose_cases(actor, region):
        raise PermissionDenied(_("Only moderators of this region choose its cases."))
    message = Message.objects.filter(serial=serial.strip()).first()
    if message is None:
        raise ValidationError({"serial": _("No message has this serial number.")})
    if not is_publicly_visible(message) or message.state not in SOLVED_STATES:
        raise ValidationError({"serial": _("Choose a public message that has been answered.")})
    if not message.replies.filter(state=ReplyState.PUBLISHED).exists():
        raise ValidationError({"serial": _("Choose a public message that has been answered.")})
    if region is not None and region not in message.region.ancestors():
        raise ValidationError({"serial": _("The message is not in this region.")})
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write a short account of the case.")})
    if AnnualCase.objects.filter(year=year, region=region, message=message).exists():
        raise ValidationError({"serial": _("This case is already in the report.")})
    last = AnnualCase.objects.filter(year=year, region=region).aggregate(m=Max("position"))["m"]
    return AnnualCase.objects.create(
        year=year,
        region=region,
        message=message,
        summary=mask_public(summary[:1000]),  # masked as strictly as a citizen's text
        position=(last or 0) + 1,
        chosen_by=actor,
        chosen_at=now,
    )


@transaction.atomic
def drop_case(*, case_id: int, actor) -> None:
    case = AnnualCase.objects.select_related("region").get(pk=case_id)
    if not may_choose_cases(actor, case.region):
        raise PermissionDenied(_("Only moderators of this region choose its cases."))
    case.delete()
