"""The messages behind a figure: the same facts rows the roll-ups were counted from, so the
list holds exactly the messages the figure counts (for the public, only public messages)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from liuyan.board.models import Message

from .measures import (
    BOARD,
    CHANNEL,
    DOMAIN,
    LEVEL,
    REGION,
    REGION_DOMAIN,
    REGION_LEVEL,
    REGION_REPLY_LEVEL,
    REPLY_LEVEL,
    TYPE,
    UNIT,
)
from .models import MessageFigures

MEASURE_FILTERS: dict[str, Q] = {
    "received": Q(),
    "handled": Q(thrown_out=False),  # what the rates are of
    "thrown_out": Q(thrown_out=True),
    "dispatched": Q(dispatched=True),
    "accepted": Q(accepted=True),
    "accepted_on_time": Q(accepted_on_time=True),
    "replied": Q(replied=True),
    "replied_on_time": Q(replied_on_time=True),
    "published": Q(replied=True),  # dated by the reply's day, below
    "rated": Q(rated=True),
    "satisfied": Q(satisfied=True),
    "solved": Q(solved=True),
    "followed_up": Q(follow_ups__gt=0),
    "reopened": Q(reopened=True),
    "supervised": Q(supervisions__gt=0),
    "listed": Q(listed__gt=0),
    # The rankings' counts: neither thrown out nor written by the handling unit's own staff.
    "fair_dispatched": Q(own=False, thrown_out=False, dispatched=True),
    "fair_replied": Q(own=False, thrown_out=False, replied=True),
    "fair_on_time": Q(own=False, thrown_out=False, replied_on_time=True),
    "fair_rated": Q(own=False, thrown_out=False, rated=True),
    "fair_satisfied": Q(own=False, thrown_out=False, satisfied=True),
}


def slice_q(kind: str, key: str) -> Q:
    if kind == LEVEL:
        return Q(level=int(key))
    if kind == REGION:
        region = int(key)
        return Q(region1=region) | Q(region2=region) | Q(region3=region)
    if kind == BOARD:
        return Q(board_id=int(key))
    if kind == UNIT:
        return Q(unit_id=int(key))
    if kind == DOMAIN:
        domain = int(key)
        return Q(domain1=domain) | Q(domain2=domain) | Q(domain3=domain)
    if kind == TYPE:
        return Q(type=key)
    if kind == CHANNEL:
        return Q(channel=key)
    if kind == REGION_DOMAIN:
        region_key, domain_key = key.split(":")
        return slice_q(REGION, region_key) & Q(domain1=int(domain_key))
    if kind == REPLY_LEVEL:
        return Q(reply_level=int(key))
    if kind in (REGION_LEVEL, REGION_REPLY_LEVEL):
        region_key, level_key = key.split(":")
        level = "level" if kind == REGION_LEVEL else "reply_level"
        return slice_q(REGION, region_key) & Q(**{level: int(level_key)})
    return Q()


def messages_behind(
    *, kind: str, key: str, measure: str, since, until, public: bool
) -> QuerySet[Message]:
    """Messages counted by `measure` of the slice in the period [since, until)."""
    dated = "reply_day" if measure == "published" else "day"
    facts = MessageFigures.objects.filter(
        slice_q(kind, key),
        MEASURE_FILTERS[measure],
        **{f"{dated}__gte": since, f"{dated}__lt": until},
    )
    if public:
        facts = facts.filter(is_public=True)
    return Message.objects.filter(pk__in=facts.values("message_id"))
