"""Reads: who is told about an event, and what is in someone's inbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q, QuerySet

from liuyan.accounts.models import User
from liuyan.board.access import can_view, region_chain_ids
from liuyan.board.models import Assignment, Event, Message, Supervision
from liuyan.core.lifecycle import ACTIVE_ASSIGNMENT_STATES, Action, AssignmentKind
from liuyan.directory.models import Membership
from liuyan.web.keyset import ID_ONLY, Page, keyset_page

from .models import ChannelChoice, Follow, Notification

# --- who hears about what -----------------------------------------------------------------


def _active_users(ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(pk__in=set(ids), is_active=True)


def author_and_message_followers(message: Message) -> set[int]:
    """The people who asked to hear about this one message (and its author)."""
    ids = set(Follow.objects.filter(message=message).values_list("user_id", flat=True))
    if message.author_id:
        ids.add(message.author_id)
    return ids


def board_followers(message: Message) -> set[int]:
    return set(Follow.objects.filter(board_id=message.board_id).values_list("user_id", flat=True))


def citizens_who_may_see(message: Message, user_ids: set[int]) -> Iterator[User]:
    """Those of `user_ids` allowed to see the message: a private one reaches only its author
    and the staff who may see it, never a follower of its board."""
    for user in _active_users(user_ids).iterator(chunk_size=500):
        if can_view(user, message):
            yield user


def unit_staff(unit_ids: Iterable[int]) -> QuerySet[User]:
    """The handlers of each unit; a unit without handlers is told through its heads."""
    unit_ids = set(unit_ids)
    staffed = set(
        Membership.objects.filter(unit_id__in=unit_ids, role=Membership.Role.HANDLER).values_list(
            "unit_id", flat=True
        )
    )
    handlers = Q(role=Membership.Role.HANDLER, unit_id__in=staffed)
    heads = Q(role=Membership.Role.HEAD, unit_id__in=unit_ids - staffed)
    ids = Membership.objects.filter(handlers | heads).values_list("user_id", flat=True)
    return _active_users(ids)


def unit_heads(unit_ids: Iterable[int]) -> QuerySet[User]:
    """The heads (一把手) of each unit: they sign off replies and answer for supervision."""
    ids = Membership.objects.filter(
        unit_id__in=set(unit_ids), role=Membership.Role.HEAD
    ).values_list("user_id", flat=True)
    return _active_users(ids)


def active_assignments(message: Message) -> list[Assignment]:
    """The assignments whose units are working on the message now (lead first)."""
    return list(
        Assignment.objects.filter(message=message, state__in=ACTIVE_ASSIGNMENT_STATES).order_by(
            "kind", "id"
        )
    )


def overseers(message: Message) -> Iterator[tuple[User, bool]]:
    """Who wrote an instruction on the message or ordered its supervision, each with whether
    they lead (else they moderate)."""
    ids = set(message.instructions.values_list("author_id", flat=True))
    ids |= set(message.supervisions.values_list("ordered_by_id", flat=True))
    leaders = set(
        Membership.objects.filter(user_id__in=ids, role=Membership.Role.LEADER).values_list(
            "user_id", flat=True
        )
    )
    for user in _active_users(ids):
        yield user, user.pk in leaders


def supervision_level(event: Event) -> str | None:
    """The level of the supervision order the event recorded (made in the same step)."""
    return (
        Supervision.objects.filter(message_id=event.message_id, created_at=event.at)
        .order_by("-id")
        .values_list("level", flat=True)
        .first()
    )


def moderators_covering(message: Message) -> QuerySet[User]:
    """Moderators of the message's region or a region above it, and those who cover everywhere."""
    regions = region_chain_ids(message.region)
    ids = Membership.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=regions), role=Membership.Role.MODERATOR
    ).values_list("user_id", flat=True)
    return _active_users(ids)


def new_assignments(event: Event) -> list[Assignment]:
    """The assignments the event created, whose units now have work to do.

    Services create them in the same transaction as the event, stamped with the event's time:
    a dispatch makes the lead (event.assignment) and its co-handlers right after it; a transfer
    or reopen makes event.assignment; an invitation makes co-handling assignments (its
    event.assignment is the inviting lead unit).
    """
    action = Action(event.action)
    same_moment = Assignment.objects.filter(message_id=event.message_id, created_at=event.at)
    if action in (Action.DISPATCH, Action.REDISPATCH, Action.URGENT_DISPATCH):
        lead = event.assignment
        co = same_moment.filter(kind=AssignmentKind.CO, id__gt=lead.pk) if lead else []
        return [lead, *co] if lead else list(co)
    if action in (Action.TRANSFER, Action.REOPEN):
        return [event.assignment] if event.assignment else []
    if action is Action.INVITE_CO:
        return list(same_moment.filter(kind=AssignmentKind.CO))
    return []


# --- the inbox ----------------------------------------------------------------------------


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-id")


def inbox_page(user, *, before: str | None, size: int) -> Page:
    """One page of the inbox, newest first, by keyset on id (`liuyan.web.keyset`): no COUNT
    over a table that only grows."""
    return keyset_page(
        inbox(user), key="pk", descending=True, cursor=before, size=size, cursor_format=ID_ONLY
    )


def channel_choice(user) -> ChannelChoice:
    return ChannelChoice.objects.filter(user=user).first() or ChannelChoice(user=user)


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def is_following_message(user, message_id: int) -> bool:
    return Follow.objects.filter(user=user, message_id=message_id).exists()


def is_following_board(user, board_id: int) -> bool:
    return Follow.objects.filter(user=user, board_id=board_id).exists()
