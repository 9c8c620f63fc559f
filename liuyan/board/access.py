"""Who may see and act on what: the one answer for pages, reports and the API.

Two questions, one rule. On one message: which lifecycle roles a user holds (`roles_for`) and
whether they may see it (`can_view`, `visible_messages` for lists). Across the site: a staff
member's remit (`staff_scope`), worked out once per request, and the querysets narrowed to it.

Roles are relative: a user is a HANDLER only for the units they belong to, a LEADER only for the
boards and regions they lead, a MODERATOR only in the region they cover (or everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.db.models import Q, QuerySet

from liuyan.core.lifecycle import AssignmentKind, Role, State
from liuyan.directory.models import Board, Membership, Region, Unit

from .models import Assignment, Message

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from liuyan.accounts.models import User

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
    memberships = list(Membership.objects.filter(user=user).select_related("board"))
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
        if membership.board_id is not None and _region_leader_sees(membership, message):
            return {Role.LEADER}
    if unit is not None and role == Membership.Role.HANDLER and membership.unit_id == unit.pk:
        return {Role.HANDLER}
    if unit is not None and role == Membership.Role.HEAD and membership.unit_id in units:
        return {Role.HEAD, Role.HANDLER}
    return set()


def _region_leader_sees(membership, message: Message) -> bool:
    """A board's leader also leads the public messages of the other boards of the board's
    region and the regions below it, where those boards allow it (`visible_to_region_leaders`).
    Private messages stay with the leaders of their own board."""
    if not is_publicly_visible(message) or not message.board.visible_to_region_leaders:
        return False
    board_regions = region_chain_ids(message.board.region)
    return membership.board.region_id in board_regions


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


# --- a staff member's remit: the desks they open and what each desk lists ---------------

# The staff desks, in the order the navigation shows them.
MODERATOR, UNIT, LEADER, OPERATOR = "moderator", "unit", "leader", "operator"
DESK_ORDER = (MODERATOR, UNIT, LEADER, OPERATOR)


def _subtree_ids(model, ids: set[int]) -> set[int]:
    """The rows `ids` of a tree `model` (with `parent`) and every row below them."""
    found, frontier = set(ids), set(ids)
    while frontier:
        frontier = set(model.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier -= found
        found |= frontier
    return found


def region_subtree_ids(region_ids: set[int]) -> set[int]:
    """The regions and every region below them (a province's moderator covers its counties)."""
    return _subtree_ids(Region, region_ids)


def unit_subtree_ids(unit_ids: set[int]) -> set[int]:
    """The units and every sub-unit (a unit head also heads the units below)."""
    return _subtree_ids(Unit, unit_ids)


@dataclass(frozen=True)
class StaffScope:
    """What one staff member may see on the desk, worked out once per request."""

    user: User | AnonymousUser | None
    moderates_everywhere: bool = False
    moderated_region_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()  # own units, plus every sub-unit of units they head
    headed_unit_ids: frozenset[int] = frozenset()  # units they head, with sub-units
    leader_board_ids: frozenset[int] = frozenset()
    leader_region_ids: frozenset[int] = frozenset()
    # Other boards of the led boards' regions (and below) that let region leaders see their
    # public messages: never their private ones (led_q).
    region_board_ids: frozenset[int] = frozenset()
    is_operator: bool = False
    desks: tuple[str, ...] = field(default=())

    @property
    def is_moderator(self) -> bool:
        return self.moderates_everywhere or bool(self.moderated_region_ids)

    @property
    def is_head(self) -> bool:
        return bool(self.headed_unit_ids)

    def has(self, desk: str) -> bool:
        return desk in self.desks

    @property
    def staff_user(self) -> User:
        """The signed-in staff member the scope is for. Only scopes with a desk reach the code
        that asks (desk_view signs the user in first), and those are built for a User."""
        return cast("User", self.user)


def staff_scope(user: User | AnonymousUser | None) -> StaffScope:
    if user is None or not user.is_authenticated:
        return StaffScope(user=user)
    memberships = list(Membership.objects.filter(user=user))
    everywhere = user.is_superuser
    moderated: set[int] = set()
    own_units: set[int] = set()
    headed: set[int] = set()
    boards: set[int] = set()
    led_regions: set[int] = set()
    is_operator = False
    for membership in memberships:
        role = membership.role
        if role == Membership.Role.ADMIN:
            everywhere = True  # administrators may do everything moderators do, everywhere
        elif role == Membership.Role.MODERATOR:
            if membership.region_id is None:
                everywhere = True
            else:
                moderated.add(membership.region_id)
        # Membership.clean() requires a unit for handlers and heads. The cast keeps what the
        # code did before it was typed, for a row saved without clean(): its None goes in too.
        elif role == Membership.Role.HANDLER:
            own_units.add(cast(int, membership.unit_id))
        elif role == Membership.Role.HEAD:
            headed.add(cast(int, membership.unit_id))
        elif role == Membership.Role.LEADER:
            if membership.board_id is not None:
                boards.add(membership.board_id)
            elif membership.region_id is not None:
                led_regions.add(membership.region_id)
        elif role == Membership.Role.OPERATOR:
            is_operator = True
    headed = unit_subtree_ids(headed) if headed else set()
    moderated = region_subtree_ids(moderated) if moderated and not everywhere else set()
    led_regions = region_subtree_ids(led_regions) if led_regions else set()
    region_boards = _region_board_ids(boards)
    desks = []
    if everywhere or moderated:
        desks.append(MODERATOR)
    if own_units or headed:
        desks.append(UNIT)
    if boards or led_regions:
        desks.append(LEADER)
    if is_operator:
        desks.append(OPERATOR)
    return StaffScope(
        user=user,
        moderates_everywhere=everywhere,
        moderated_region_ids=frozenset(moderated),
        unit_ids=frozenset(own_units | headed),
        headed_unit_ids=frozenset(headed),
        leader_board_ids=frozenset(boards),
        leader_region_ids=frozenset(led_regions),
        region_board_ids=frozenset(region_boards),
        is_operator=is_operator,
        desks=tuple(desks),
    )


def _region_board_ids(board_ids: set[int]) -> set[int]:
    """The boards a leader of `board_ids` sees besides their own: those of the same region or a
    region below it that are `visible_to_region_leaders` (a city has tens of boards, a
    province a few hundred; the ids are worked out once per request)."""
    if not board_ids:
        return set()
    regions = set(Board.objects.filter(pk__in=board_ids).values_list("region_id", flat=True))
    shared = Board.objects.filter(_subtree_q(regions, "region"), visible_to_region_leaders=True)
    return set(shared.values_list("pk", flat=True)) - board_ids


def moderated_messages(scope: StaffScope) -> QuerySet[Message]:
    if scope.moderates_everywhere:
        return Message.objects.all()
    return Message.objects.filter(region_id__in=scope.moderated_region_ids)


def moderated_q(scope: StaffScope, prefix: str) -> Q:
    """The moderator's scope on a model that reaches the message through `prefix`."""
    if scope.moderates_everywhere:
        return Q()
    return Q(**{f"{prefix}region_id__in": scope.moderated_region_ids})


def unit_assignments(scope: StaffScope) -> QuerySet[Assignment]:
    return Assignment.objects.filter(unit_id__in=scope.unit_ids)


def led_messages(scope: StaffScope) -> QuerySet[Message]:
    return Message.objects.filter(led_q(scope))


def led_q(scope: StaffScope, prefix: str = "") -> Q:
    """The leader's scope on a model that reaches the message through `prefix`: the led
    boards and regions, and the public messages of the region's other boards."""
    q = Q(**{f"{prefix}board_id__in": scope.leader_board_ids}) | Q(
        **{f"{prefix}region_id__in": scope.leader_region_ids}
    )
    if scope.region_board_ids:
        q |= Q(
            **{
                f"{prefix}board_id__in": scope.region_board_ids,
                f"{prefix}is_public": True,
                f"{prefix}state__in": PUBLIC_STATES,
            }
        )
    return q


def led_board_bound(scope: StaffScope) -> frozenset[int] | None:
    """Every board a led message can be on, when the scope leads boards only (not regions): the
    led boards and the region's other boards. A condition implied by `led_q` that the planner can
    read a (board, …) index with, which it cannot do with the OR of `led_q`'s branches (it read
    the country's rows of the period instead). None when the scope leads a region."""
    if scope.leader_region_ids:
        return None
    return scope.leader_board_ids | scope.region_board_ids


def led_rows_q(scope: StaffScope) -> Q:
    """`led_q` on a row that carries its message's board (Evaluation, Assignment): the led
    boards by the row's own `board_id`, read by index; the region branches through the message,
    and only when the scope has them, so that a board leader's query joins no message."""
    q = Q(board_id__in=scope.leader_board_ids)
    if scope.leader_region_ids:
        q |= Q(message__region_id__in=scope.leader_region_ids)
    if scope.region_board_ids:
        q |= _public_rows_of(scope.region_board_ids)
    return q


def _public_rows_of(board_ids) -> Q:
    """A message-carrying row (Evaluation, Assignment) whose message, on one of `board_ids`,
    the public may see: what a leader sees of the region's other boards."""
    return Q(board_id__in=board_ids, message__is_public=True, message__state__in=PUBLIC_STATES)


def led_rows_parts(scope: StaffScope) -> list[Q]:
    """`led_rows_q` as disjoint parts, each of which the planner reads by a (board, …) index:
    for a board leader, the led boards' rows, and the public rows of the region's other boards;
    an OR of the two made PostgreSQL read the country's rows of the period instead. A scope
    that leads a region keeps the one OR (its region branch is not bounded by boards)."""
    if led_board_bound(scope) is None:
        return [led_rows_q(scope)]
    parts = [Q(board_id__in=scope.leader_board_ids)]
    others = scope.region_board_ids - scope.leader_board_ids
    if others:
        parts.append(_public_rows_of(others))
    return parts


def entered_messages(scope: StaffScope) -> QuerySet[Message]:
    return Message.objects.filter(entered_by=scope.staff_user)


def earlier_messages_from_caller(scope: StaffScope, message: Message, *, limit: int = 20):
    """Other messages from the same phone number (a repeat caller), that the operator may see:
    found by the keyed hash, since the numbers themselves are encrypted."""
    contact = getattr(message, "contact", None)
    digest = contact.phone_hash if contact is not None else None
    if not digest:
        return Message.objects.none()
    same_phone = Q(contact__phone_hash=digest) | Q(author__phone_hash=digest)
    candidates = Message.objects.filter(same_phone).exclude(pk=message.pk)
    return visible_messages(scope.user, candidates).order_by("-submitted_at")[:limit]


def led_boards(scope: StaffScope) -> QuerySet[Board]:
    return Board.objects.filter(
        Q(pk__in=scope.leader_board_ids)
        | Q(region_id__in=scope.leader_region_ids)
        | Q(pk__in=scope.region_board_ids)
    )


def remit_messages(scope: StaffScope) -> QuerySet[Message]:
    """Every message a staff member's desks cover, for exports and reports: moderated region,
    led boards and regions, the units' assignments, and what an operator entered. None for a
    user without a desk."""
    if not scope.desks:
        return Message.objects.none()
    if scope.moderates_everywhere:
        return Message.objects.all()
    remit = Q(region_id__in=scope.moderated_region_ids) | led_q(scope)
    if scope.unit_ids:
        remit |= Q(
            pk__in=Assignment.objects.filter(unit_id__in=scope.unit_ids).values("message_id")
        )
    if scope.is_operator:
        remit |= Q(entered_by=scope.staff_user)
    return Message.objects.filter(remit)


def messages_from_phone(scope: StaffScope, digest: str) -> QuerySet[Message]:
    """Messages written from (or entered for) the phone number whose keyed look-up hash is
    `digest`, that `scope`'s user may see: a repeat caller's history."""
    same_phone = Q(contact__phone_hash=digest) | Q(author__phone_hash=digest)
    candidates = Message.objects.filter(same_phone)
    return visible_messages(scope.user, candidates).order_by("-submitted_at", "-id")
