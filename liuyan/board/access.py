"""Who holds which role on a message, and who may see it.

Roles are relative: a user is a HANDLER only for the units they belong to, a LEADER only for the
boards and regions they lead, a MODERATOR only in the region they cover (or everywhere).
"""

from __future__ import annotations

from django.db.models import Q

from liuyan.core.lifecycle import AssignmentKind, Role, State
from liuyan.directory.models import Membership, Region, Unit

from .models import Message

# What the public may see: screened messages that are public and not thrown out.
PUBLIC_STATES = frozenset(
    {
        State.DISPATCHED,
        State.ACCEPTED,
        State.REPLY_REVIEW,
        State.REPLIED,
        State.REVIEW,
        State.REOPENED,
        State.CLOSED,
    }
)


def region_chain_ids(region: Region | None) -> set[int]:
    return {r.pk for r in region.ancestors()} if region is not None else set()


def unit_chain_ids(unit: Unit | None) -> set[int]:
    """The unit and every unit above it: a head of a parent unit also heads its sub-units."""
    ids, current = set(), unit
    while current is not None:
        ids.add(current.pk)
        current = current.parent
    return ids


def roles_for(user, message: Message | None, *, unit: Unit | None = None) -> set[Role]:
    """The lifecycle roles `user` holds on `message` (and on `unit`'s assignment, if given)."""
    roles: set[Role] = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return roles
    if message is not None and message.author_id == user.pk:
        roles.add(Role.AUTHOR)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    memberships = list(Membership.objects.filter(user=user))
    if not memberships:
        return roles
    regions = region_chain_ids(message.region) if message is not None else set()
    units = unit_chain_ids(unit)
    for membership in memberships:
        roles |= _roles_from(membership, message, regions, unit, units)
    return roles


def _roles_from(membership, message, regions, unit, units) -> set[Role]:
    role = membership.role
    covers_region = membership.region_id is None or membership.region_id in regions
    if role == Membership.Role.ADMIN:
        return {Role.ADMIN}
    if role == Membership.Role.MODERATOR and covers_region:
        return {Role.MODERATOR}
    if role == Membership.Role.OPERATOR:
        return {Role.OPERATOR}
    if role == Membership.Role.LEADER and message is not None:
        if membership.board_id == message.board_id:
            return {Role.LEADER}
        if membership.board_id is None and membership.region_id is not None and covers_region:
            return {Role.LEADER}
    if unit is not None and role == Membership.Role.HANDLER and membership.unit_id == unit.pk:
        return {Role.HANDLER}
    if unit is not None and role == Membership.Role.HEAD and membership.unit_id in units:
        return {Role.HEAD, Role.HANDLER}
    return set()


def is_publicly_visible(message: Message) -> bool:
    return message.is_public and message.state in PUBLIC_STATES


def can_view(user, message: Message) -> bool:
    """Public messages are for everyone; a private one only for its author (or the operator who
    entered it), its units, moderators, and the leaders of its board (and administrators)."""
    if is_publicly_visible(message):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if message.author_id == user.pk or message.entered_by_id == user.pk:
        return True
    roles = roles_for(user, message)
    if roles & {Role.MODERATOR, Role.ADMIN}:
        return True
    # Leaders act on their whole region (supervision, instructions), but a private message is
    # shown only to the leaders of the board it was written to (DESIGN.md).
    if Membership.objects.filter(
        user=user, role=Membership.Role.LEADER, board_id=message.board_id
    ).exists():
        return True
    unit_ids = set(message.assignments.values_list("unit_id", flat=True))
    if not unit_ids:
        return False
    handler = Q(role=Membership.Role.HANDLER, unit_id__in=unit_ids)
    head = Q(role=Membership.Role.HEAD, unit_id__in=_with_ancestors(unit_ids))
    return Membership.objects.filter(handler | head, user=user).exists()


def can_see_contact(user, message: Message, *, assignment=None) -> bool:
    """The citizen's contact details: for moderators and administrators, the operator who took
    the call, and the lead unit (its handlers and heads) only while its assignment is active;
    a unit that returned or transferred the message, or only co-handles it, does not see them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if message.entered_by_id == user.pk:
        return True
    roles = roles_for(user, message, unit=assignment.unit if assignment is not None else None)
    if roles & {Role.MODERATOR, Role.ADMIN}:
        return True
    if assignment is None or assignment.kind != AssignmentKind.LEAD or not assignment.is_active:
        return False
    return bool(roles & {Role.HANDLER, Role.HEAD})


def _with_ancestors(unit_ids: set[int]) -> set[int]:
    ids: set[int] = set()
    for unit in Unit.objects.filter(pk__in=unit_ids).select_related("parent__parent__parent"):
        ids |= unit_chain_ids(unit)
    return ids


def _subtree_q(ids: set[int], field: str, depth: int = 3) -> Q:
    """`field` is one of `ids` or sits below one of them (regions and units are shallow trees)."""
    q = Q(**{f"{field}_id__in": ids})
    path = field
    for _ in range(depth):
        path += "__parent"
        q |= Q(**{f"{path}_id__in": ids})
    return q


def visible_messages(user, messages):
    """`messages` narrowed to those `user` may see: the rule of `can_view` as one query, for
    lists (checking each message with can_view costs several queries per message)."""
    visible = Q(is_public=True, state__in=PUBLIC_STATES)
    if user is None or not getattr(user, "is_authenticated", False):
        return messages.filter(visible)
    if user.is_superuser:
        return messages
    visible |= Q(author=user) | Q(entered_by=user)
    roles: dict[str, set] = {}
    for role, region_id, board_id, unit_id in Membership.objects.filter(user=user).values_list(
        "role", "region_id", "board_id", "unit_id"
    ):
        roles.setdefault(role, set()).add(region_id if role == "moderator" else board_id or unit_id)
    if "admin" in roles or None in roles.get("moderator", ()):
        return messages
    if regions := roles.get("moderator"):
        visible |= _subtree_q(regions, "region")
    if boards := roles.get("leader", set()) - {None}:
        visible |= Q(board_id__in=boards)
    if units := roles.get("handler"):
        visible |= Q(assignments__unit_id__in=units)
    if heads := roles.get("head"):
        visible |= _subtree_q(heads, "assignments__unit")
    return messages.filter(pk__in=messages.filter(visible).values("pk"))
