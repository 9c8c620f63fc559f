"""Reads for the weekly digest 民声摘报: who may compile, read and instruct an issue; what the
system proposes for an issue; how far an instructed item has come; the list of issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.timezone import localtime

from liuyan.board.access import StaffScope, region_subtree_ids, roles_for
from liuyan.board.models import Assignment, Evaluation, Message, Supervision
from liuyan.core.lifecycle import AssignmentState, Role, State, SupervisionLevel
from liuyan.directory.models import Membership, Region

from .digest_models import Digest, DigestItem, ItemInstruction, ItemProgress
from .models import HotIssue
from .rising import rising_in

PROPOSALS_PER_KIND = 5
MANY_FOLLOW_UPS = 2
REPLIED_STATES = (State.REPLIED, State.CLOSED)


# --- who may do what ----------------------------------------------------------------------


def may_compile(scope: StaffScope, region: Region) -> bool:
    """Moderators covering the region compile its digest."""
    return scope.moderates_everywhere or region.pk in scope.moderated_region_ids


def leads_region(scope: StaffScope, region: Region) -> bool:
    """The region's leaders: a leader of the region itself or of one of its boards."""
    if region.pk in scope.leader_region_ids:
        return True
    return (
        bool(scope.leader_board_ids)
        and region.board_set.filter(pk__in=scope.leader_board_ids).exists()
    )


def may_read(scope: StaffScope, digest: Digest) -> bool:
    if may_compile(scope, digest.region):
        return True
    return digest.is_published and leads_region(scope, digest.region)


def messages_not_led(user, item: DigestItem) -> list[Message]:
    """The item's messages on which `user` holds no leader's role (board.access decides: a
    leader's post acts on the messages written to it, a region's leader on the region's). A 批示
    on the item is recorded on every one of its messages, so these must be none."""
    messages = item.messages.select_related("region", "board").order_by("pk")
    return [m for m in messages if Role.LEADER not in roles_for(user, m)]


def region_leader_ids(region: Region) -> list[int]:
    """Who is told of a new issue: leaders of the region and of its boards."""
    rows = Membership.objects.filter(role=Membership.Role.LEADER).filter(
        Q(region=region, board__isnull=True) | Q(board__region=region)
    )
    return sorted(set(rows.values_list("user_id", flat=True)))


def compilable_regions(scope: StaffScope) -> QuerySet[Region]:
    if scope.moderates_everywhere:
        return Region.objects.filter(level__lte=Region.Level.PREFECTURE)
    return Region.objects.filter(pk__in=scope.moderated_region_ids)


def readable_digests(scope: StaffScope) -> QuerySet[Digest]:
    if scope.moderates_everywhere:
        return Digest.objects.all()
    led = set(scope.leader_region_ids) | set(
        Region.objects.filter(board__pk__in=scope.leader_board_ids).values_list("pk", flat=True)
    )
    return Digest.objects.filter(
        Q(region_id__in=scope.moderated_region_ids)
        | Q(region_id__in=led, status=Digest.Status.PUBLISHED)
    )


def search_digests(scope: StaffScope, text: str) -> QuerySet[Digest]:
    digests = readable_digests(scope).select_related("region")
    text = text.strip()[:50]
    if text:
        matching_items = DigestItem.objects.filter(
            Q(title__icontains=text) | Q(summary__icontains=text)
        ).values("digest_id")
        digests = digests.filter(Q(foreword__icontains=text) | Q(pk__in=matching_items))
    return digests.order_by("-published_at", "-created_at", "-id")


# --- what the system proposes ---------------------------------------------------------------


@dataclass
class Proposal:
    key: str  # stable for one situation, e.g. "hot:12", so a posted choice finds it again
    kind: str
    title: str
    summary: str
    message_ids: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(DigestItem.Kind(self.kind).label)


def _in_region(region: Region) -> set[int]:
    return region_subtree_ids({region.pk})


def propose(region: Region, *, now: datetime, since: datetime | None = None) -> list[Proposal]:
    """Items the system suggests for an issue of `region`'s digest covering [since, now)."""
    since = since or now - timedelta(days=7)
    regions = _in_region(region)
    messages = Message.objects.filter(region_id__in=regions)
    found: list[Proposal] = []
    found += _hot(regions)
    found += _listed(messages)
    found += _overdue(regions, now)
    found += _follow_ups(messages, since, now)
    found += _unsatisfied(messages, since, now)
    found += _rising(regions, now)
    return found


def _hot(regions: set[int]) -> list[Proposal]:
    issues = HotIssue.objects.filter(is_public_view=False, region_id__in=regions).order_by("rank")
    out = []
    for issue in issues[:PROPOSALS_PER_KIND]:
        ids = list(issue.messages.order_by("submitted_at").values_list("pk", flat=True)[:50])
        first, last = (localtime(issue.first_at), localtime(issue.last_at))
        summary = (
            f"{issue.message_count}条留言，{issue.author_count}位网民，"
            f"{first:%m月%d日}至{last:%m月%d日}。"
        )
        out.append(Proposal(f"hot:{issue.pk}", DigestItem.Kind.HOT, issue.title, summary, ids))
    return out


def _one(message: Message, key: str, kind: str, summary: str) -> Proposal:
    return Proposal(key, kind, message.public_title, summary, [message.pk])


def _listed(messages: QuerySet[Message]) -> list[Proposal]:
    rows = (
        Supervision.objects.filter(
            level=SupervisionLevel.LISTED, resolved_at=None, message__in=messages
        )
        .select_related("message")
        .order_by("due_at")[:PROPOSALS_PER_KIND]
    )
    return [
        _one(
            s.message,
            f"listed:{s.pk}",
            DigestItem.Kind.LISTED,
            f"挂牌督办，限{localtime(s.due_at):%m月%d日}前办结。{s.note}",
        )
        for s in rows
    ]


def _overdue(regions: set[int], now: datetime) -> list[Proposal]:
    late = Q(state=AssignmentState.PENDING, accept_by__lt=now) | Q(
        state=AssignmentState.ACCEPTED, reply_by__lt=now
    )
    rows = (
        Assignment.objects.filter(late, message__region_id__in=regions, kind="lead")
        .select_related("message", "unit")
        .order_by("accept_by")[:PROPOSALS_PER_KIND]
    )
    out = []
    for a in rows:
        deadline = a.accept_by if a.state == AssignmentState.PENDING else a.reply_by
        what = "受理" if a.state == AssignmentState.PENDING else "答复"
        summary = f"{a.unit.name}逾期未{what}（时限{localtime(deadline):%m月%d日}）。"
        out.append(_one(a.message, f"overdue:{a.pk}", DigestItem.Kind.OVERDUE, summary))
    return out


def _follow_ups(messages: QuerySet[Message], since: datetime, now: datetime) -> list[Proposal]:
    rows = (
        messages.annotate(
            n=Count(
                "follow_ups",
                filter=Q(follow_ups__created_at__gte=since, follow_ups__created_at__lt=now),
            )
        )
        .filter(n__gte=MANY_FOLLOW_UPS)
        .order_by("-n", "submitted_at")[:PROPOSALS_PER_KIND]
    )
    return [
        _one(m, f"follow:{m.pk}", DigestItem.Kind.FOLLOW_UPS, f"本周网民追问{m.n}次。")
        for m in rows
    ]


def _unsatisfied(messages: QuerySet[Message], since: datetime, now: datetime) -> list[Proposal]:
    rows = (
        Evaluation.objects.filter(message__in=messages, created_at__gte=since, created_at__lt=now)
        .filter(Q(solved=False) | Q(attitude__lt=3) | Q(speed__lt=3))
        .select_related("message")
        .order_by("created_at")[:PROPOSALS_PER_KIND]
    )
    return [
        _one(
            e.message,
            f"unsatisfied:{e.pk}",
            DigestItem.Kind.UNSATISFIED,
            "网民评价：" + ("问题未解决" if not e.solved else "对办理态度或速度不满意") + "。",
        )
        for e in rows
    ]


def _rising(regions: set[int], now: datetime) -> list[Proposal]:
    out = []
    for row in rising_in(region_ids=regions, now=now, limit=PROPOSALS_PER_KIND):
        ids = list(
            Message.objects.filter(
                region_id__in=region_subtree_ids({row.region.pk}),
                submitted_at__gte=row.since,
                submitted_at__lt=now,
            )
            .filter(
                Q(domain=row.domain)
                | Q(domain__parent=row.domain)
                | Q(domain__parent__parent=row.domain)
            )
            .exclude(state__in=(State.REJECTED, State.DUPLICATE))
            .order_by("submitted_at")
            .values_list("pk", flat=True)[:50]
        )
        title = f"{row.region.name}{row.domain.name}类留言明显增多"
        summary = f"近7天{row.observed}条，此前8周平均每周{row.expected:.1f}条。"
        out.append(
            Proposal(
                f"rising:{row.domain.pk}-{row.region.pk}",
                DigestItem.Kind.RISING,
                title,
                summary,
                ids,
            )
        )
    return out


# --- how far an instructed item has come ----------------------------------------------------


@dataclass(frozen=True)
class ItemState:
    messages_total: int
    messages_replied: int
    supervisions_open: int
    due_at: datetime | None
    instructed: bool
    solved: bool
    overdue: bool


def item_state(item: DigestItem, *, now: datetime) -> ItemState:
    """Derived, never stored: an instructed item is solved once every message has a published
    reply and every supervision the 批示 ordered is resolved; overdue while not solved after
    the date the 批示 set."""
    states = list(item.messages.values_list("state", flat=True))
    replied = sum(1 for s in states if s in REPLIED_STATES)
    instructions = list(ItemInstruction.objects.filter(item=item))
    open_supervisions = Supervision.objects.filter(
        pk__in=ItemInstruction.supervisions.through.objects.filter(
            iteminstruction__item=item
        ).values("supervision_id"),
        resolved_at=None,
    ).count()
    due = max((i.due_at for i in instructions), default=None)
    solved = bool(instructions) and replied == len(states) and open_supervisions == 0
    return ItemState(
        messages_total=len(states),
        messages_replied=replied,
        supervisions_open=open_supervisions,
        due_at=due,
        instructed=bool(instructions),
        solved=solved,
        overdue=bool(instructions) and not solved and due is not None and now > due,
    )


def items_to_report(digest: Digest) -> list[DigestItem]:
    """Instructed items of the office's earlier issues not yet reported solved: what the next
    issue's 前期批示件办理情况 covers."""
    reported_solved = ItemProgress.objects.filter(solved=True).values("item_id")
    return list(
        DigestItem.objects.filter(
            digest__region=digest.region,
            digest__status=Digest.Status.PUBLISHED,
            instructions__isnull=False,
        )
        .exclude(digest=digest)
        .exclude(pk__in=reported_solved)
        .distinct()
        .select_related("digest")
        .order_by("digest__published_at", "position")
    )
