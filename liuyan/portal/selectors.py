"""Reads for the citizen portal: figures, board lists, keyset pages, a message's public record.

Everything here starts from `board.selectors.public_messages()` or checks `access.can_view`, so a
private or unscreened message never reaches a public list. No query counts a whole table: the
figures are read from the roll-up rows that `reports.figures` keeps in each step's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from liuyan.board import similarity
from liuyan.board.access import PUBLIC_STATES, can_view
from liuyan.board.models import (
    Assignment,
    Attachment,
    Evaluation,
    Event,
    FollowUp,
    Instruction,
    Message,
    Reply,
    Thanks,
)
from liuyan.board.selectors import public_messages, timeline
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import (
    ACTIVE_ASSIGNMENT_STATES,
    HANDLING_STATES,
    Action,
    AssignmentKind,
    ReplyState,
    State,
)
from liuyan.directory.models import Board, Domain, Region, Unit
from liuyan.reports.figures import selectors as figures
from liuyan.reports.figures.measures import BOARD
from liuyan.web.keyset import MICROS_AND_ID, Page, keyset_page

PAGE_SIZE = 20

ANSWERED_STATES = frozenset({State.REPLIED, State.REVIEW, State.CLOSED})
STATUS_FILTERS = {"handling": HANDLING_STATES, "answered": ANSWERED_STATES}
PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91, "year": 365}


# --- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    messages: int
    replied: int
    rated: int
    satisfied: int
    median_days: float | None = None

    @property
    def reply_rate(self) -> float | None:
        return round(100 * self.replied / self.messages, 1) if self.messages else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def year_start(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _public_figures(totals: figures.Totals) -> Figures:
    return Figures(
        messages=totals.received,
        replied=totals.replied,
        rated=totals.rated,
        satisfied=totals.satisfied,
        median_days=totals.median_reply_days,
    )


def year_figures(now: datetime | None = None) -> Figures:
    """Public messages received this year (Shanghai calendar), how many are answered, how
    satisfied: one roll-up row (reports.figures), kept up to date by every lifecycle step."""
    since = year_start(now or timezone.now()).date()
    return _public_figures(figures.totals(start=since, public=True))


def board_figures(board: Board) -> Figures:
    """A board's public messages, reply rate, median working days from acceptance to the
    published reply and satisfaction, since its first message: one roll-up row a year."""
    return _public_figures(figures.all_time(BOARD, str(board.pk), public=True))


# --- home --------------------------------------------------------------------------------


def latest_replied(limit: int = 8) -> list[Message]:
    """The newest published replies on public messages.

    Walks the reply index (state, submitted_at) backwards, so the cost does not grow with the
    number of messages; submission to review is within hours of publication.
    """
    replies = (
        Reply.objects.filter(
            state=ReplyState.PUBLISHED,
            message__is_public=True,
            message__state__in=PUBLIC_STATES,
        )
        .select_related("message__board", "message__domain", "unit")
        .order_by("-submitted_at", "-id")[: limit * 2]
    )
    seen, messages = set(), []
    for reply in replies:
        if reply.message_id in seen:
            continue
        seen.add(reply.message_id)
        reply.message.latest_reply = reply  # type: ignore[attr-defined]  # read by the template only
        messages.append(reply.message)
    return messages[:limit]


# --- regions and boards --------------------------------------------------------------------


def provinces() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PROVINCE)


def child_regions(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region)


def boards_in(region: Region) -> QuerySet[Board]:
    return Board.objects.filter(region=region, is_active=True).select_related("region")


def _name_q(words: str, prefix: str = "") -> Q:
    """The name, or one of the short names (住建局), contains `words`."""
    return Q(**{f"{prefix}name__icontains": words}) | Q(**{f"{prefix}aliases__icontains": words})


def _region_prefixed(query: str) -> list[tuple[list[int], str]]:
    """Ways to read the query as a region's name followed by a body's name: 长沙住建局 and
    长沙市住建局 are (长沙市, 住建局). One query over the few names the query starts with."""
    heads = [query[:n] for n in range(2, min(len(query) - 1, 10) + 1)]
    if not heads:
        return []
    names = {head: head for head in heads}
    for head in heads:
        for suffix in ("市", "县", "区", "省"):
            names.setdefault(head + suffix, head)
    found: dict[str, list[int]] = {}
    for pk, name in Region.objects.filter(name__in=list(names)).values_list("pk", "name"):
        found.setdefault(names[name], []).append(pk)
    return [(ids, query[len(head) :]) for head, ids in found.items() if query[len(head) :]]


def _body_q(query: str, prefix: str = "") -> Q:
    """A unit (or a board's default unit, with `prefix`) by full or short name, also when the
    query starts with its region's name."""
    q = _name_q(query, prefix)
    for region_ids, rest in _region_prefixed(query):
        q |= _name_q(rest, prefix) & Q(**{f"{prefix}region_id__in": region_ids})
    return q


def find_boards(query: str, limit: int = 30) -> list[Board]:
    """Boards whose name, short names, post or holder contains the words, and boards of units
    found by full or short name (住建局)."""
    query = " ".join(query.split())[:50]
    if not query:
        return []
    direct = _body_q(query) | Q(post__icontains=query) | Q(holder__icontains=query)
    by_unit = _body_q(query, "default_unit__")
    return list(
        Board.objects.filter(direct | by_unit, is_active=True)
        .select_related("region__parent__parent", "default_unit")
        .order_by("region__code", "position", "name")[:limit]
    )


def find_units(query: str, limit: int = 30) -> list[Unit]:
    """Units by full name, short name (住建局, 人社局) or region and short name (长沙住建局)."""
    query = " ".join(query.split())[:50]
    if not query:
        return []
    return list(
        Unit.objects.filter(_body_q(query), is_active=True)
        .select_related("region__parent__parent")
        .prefetch_related(
            Prefetch("default_for_boards", queryset=Board.objects.filter(is_active=True))
        )
        .order_by("region__code", "name")[:limit]
    )


# --- a board's messages, keyset paginated -------------------------------------------------


def message_page(rows: QuerySet, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """A page of public messages, newest first (`liuyan.web.keyset`), cursors
    `<microseconds>_<id>`."""
    return keyset_page(
        rows,
        key="submitted_at",
        descending=True,
        cursor=cursor,
        size=size,
        cursor_format=MICROS_AND_ID,
    )


def domain_and_descendant_ids(domain: Domain) -> list[int]:
    ids, frontier = [domain.pk], [domain.pk]
    while frontier:
        frontier = list(Domain.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def board_messages(
    board: Board,
    *,
    status: str = "",
    type: str = "",
    domain: Domain | None = None,
    period: str = "",
    now: datetime | None = None,
) -> QuerySet[Message]:
    rows = public_messages().filter(board=board).select_related("domain")
    if status in STATUS_FILTERS:
        rows = rows.filter(state__in=STATUS_FILTERS[status])
    if type in Message.Type.values:
        rows = rows.filter(type=type)
    if domain is not None:
        rows = rows.filter(domain_id__in=domain_and_descendant_ids(domain))
    if period in PERIOD_DAYS:
        rows = rows.filter(
            submitted_at__gte=(now or timezone.now()) - timedelta(days=PERIOD_DAYS[period])
        )
    return rows


# --- one message -------------------------------------------------------------------------


def message_for(user, serial: str, *, record_flags: bool = False) -> Message | None:
    """The message with this serial if `user` may see it; None otherwise (the caller says 404,
    so that a private message's existence does not leak). With `record_flags`, the same query
    also says which sections of the public record hold anything (`has_replies` …), so that
    `public_record` asks only for those: most messages have no rating, image or thanks."""
    messages = Message.objects.select_related("board__region", "region", "domain__parent", "author")
    if record_flags:
        messages = messages.annotate(**_record_flags())
    message = messages.filter(serial=serial).first()
    if message is None or not can_view(user, message):
        return None
    return message


def _record_flags() -> dict[str, Exists]:
    """One EXISTS per optional section of the public record (each an index probe on the
    section's message_id), under the names `public_record` looks for."""
    mine = OuterRef("pk")
    return {
        "has_replies": Exists(Reply.objects.filter(message=mine, state=ReplyState.PUBLISHED)),
        "has_images": Exists(Attachment.objects.filter(message=mine)),
        "has_evaluations": Exists(Evaluation.objects.filter(message=mine)),
        "has_follow_ups": Exists(FollowUp.objects.filter(message=mine)),
        "has_thanks": Exists(Thanks.objects.filter(message=mine)),
        "has_instructions": Exists(Instruction.objects.filter(message=mine, is_public=True)),
    }


@dataclass
class PublicRecord:
    """Everything about a message that its page shows, already filtered to what is public."""

    events: list[Event]
    replies: list[Reply]
    evaluations: list[Evaluation]
    follow_ups: list[FollowUp]
    thanks: list[Thanks]
    instructions: list[Instruction]
    images: list[Attachment]


# The reply steps a unit takes again after a return the public does not see.
_REDONE_REPLY_STEPS = frozenset({Action.SUBMIT_REPLY, Action.SIGN_OFF})


def without_repeats(events: list[Event]) -> list[Event]:
    """The public timeline without a step that the same unit took again right after: when
    moderators send a signed reply back (a step the public does not see), the head signs the
    new version, and the public would read 单位负责人签发答复 twice in a row. The last one stays."""
    kept: list[Event] = []
    for event in events:
        last = kept[-1] if kept else None
        if (
            last is not None
            and event.action in _REDONE_REPLY_STEPS
            and (last.action, last.unit_id) == (event.action, event.unit_id)
        ):
            kept[-1] = event
        else:
            kept.append(event)
    return kept


def public_record(message: Message) -> PublicRecord:
    """The public sections of the message's page. A section that `message_for(…,
    record_flags=True)` found empty is not asked for; without the flags every one is.

    Each published reply gets `shown_attachments`; the message's own images and the replies'
    attachments come in one query."""

    def may_have(section: str) -> bool:
        return getattr(message, f"has_{section}", True)

    replies: list[Reply] = []
    if may_have("replies"):
        replies = list(
            message.replies.filter(state=ReplyState.PUBLISHED)
            .select_related("unit")
            .annotate(has_attachments=Exists(Attachment.objects.filter(reply=OuterRef("pk"))))
            .order_by("published_at", "id")
        )
    images: list[Attachment] = []
    by_reply = {reply.pk: reply for reply in replies}
    for reply in replies:
        reply.shown_attachments = []  # type: ignore[attr-defined]
    with_attachments = [reply.pk for reply in replies if reply.has_attachments]  # type: ignore[attr-defined]
    if may_have("images") or with_attachments:
        found = Attachment.objects.filter(Q(message=message) | Q(reply_id__in=with_attachments))
        for attachment in found.order_by("created_at", "id"):
            if attachment.message_id == message.pk:
                images.append(attachment)
            if attachment.reply_id in by_reply:
                by_reply[attachment.reply_id].shown_attachments.append(attachment)  # type: ignore[attr-defined]
    return PublicRecord(
        events=without_repeats(list(timeline(message, staff=False))),
        replies=replies,
        evaluations=(
            list(message.evaluations.order_by("round")) if may_have("evaluations") else []
        ),
        follow_ups=(
            list(message.follow_ups.select_related("assignment__unit").order_by("created_at", "id"))
            if may_have("follow_ups")
            else []
        ),
        thanks=list(message.thanks.order_by("created_at", "id")) if may_have("thanks") else [],
        instructions=(
            list(message.instructions.filter(is_public=True).order_by("created_at"))
            if may_have("instructions")
            else []
        ),
        images=images,
    )


def attachment_for(user, token: str) -> Attachment | None:
    """An image the user may see: its message must be visible to them, and a reply's image
    only once the reply is published."""
    attachment = (
        Attachment.objects.select_related("message", "reply__message").filter(token=token).first()
    )
    if attachment is None:
        return None
    if attachment.message is not None:  # select_related: no query, as message_id was
        return attachment if can_view(user, attachment.message) else None
    # The attachment_belongs_somewhere constraint: without a message it has a reply.
    reply = cast(Reply, attachment.reply)
    if reply.state != ReplyState.PUBLISHED or not can_view(user, reply.message):
        return None
    return attachment


# --- my messages -------------------------------------------------------------------------


def my_messages(user) -> QuerySet[Message]:
    """The author's own messages, public or not, with the assignment that sets the next date."""
    active = Assignment.objects.filter(
        state__in=ACTIVE_ASSIGNMENT_STATES, kind=AssignmentKind.LEAD
    ).order_by("-id")
    return (
        Message.objects.filter(author=user)
        .select_related("board", "domain")
        .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_leads"))
    )


# --- similar messages on a board -----------------------------------------------------------


def similar_on_board(board: Board, title: str, body: str = "", limit: int = 5) -> list[Message]:
    """Public messages on the board about the same thing, so the citizen can read them first
    (the board's similarity index; private messages are filtered out by `public_messages`)."""
    return similarity.similar_public_messages(board=board, title=title, body=body, limit=limit)
