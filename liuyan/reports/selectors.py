"""Reads for reports: the messages hot issues are computed from, and the issues as each reader
may see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from liuyan.board.access import PUBLIC_STATES, staff_scope, visible_messages
from liuyan.board.models import Message
from liuyan.board.selectors import public_messages
from liuyan.core.lifecycle import State

from .models import HotIssue

# hot.py reads the first 300 characters of a body; fetching more would only cost transfer.
BODY_CHARS = 300
THROWN_OUT = (State.REJECTED, State.DUPLICATE)


@dataclass(frozen=True)
class HotSource:
    """One message as the hot-issue computation needs it."""

    id: int
    title: str
    body: str
    time: datetime
    author_id: int
    likes: int
    region_id: int
    public: bool  # in the public view too (what public_messages() holds)


def hot_sources(*, since: datetime, until: datetime, public: bool) -> Iterator[HotSource]:
    """Messages of the window: public ones only for the public view; for the staff view every
    message that was not thrown out, private and unscreened ones included, each saying whether
    the public view holds it too (one read serves both views). Masked texts only, so an issue's
    title never carries a phone number. Streamed in chunks: the caller decides what it keeps."""
    messages = public_messages() if public else Message.objects.exclude(state__in=THROWN_OUT)
    shown = Q(is_public=True, state__in=PUBLIC_STATES)  # public_messages(), as a column
    rows = (
        messages.filter(submitted_at__gte=since, submitted_at__lt=until)
        .annotate(
            body_start=Substr("public_body", 1, BODY_CHARS),
            shown=Case(
                When(shown, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .values_list(
            "pk",
            "public_title",
            "body_start",
            "submitted_at",
            "author_id",
            "likes",
            "region_id",
            "shown",
        )
        .order_by("pk")
    )
    for row in rows.iterator(chunk_size=5000):
        yield HotSource(*row)


def latest_issues(*, public: bool) -> QuerySet[HotIssue]:
    return HotIssue.objects.filter(is_public_view=public).select_related("region").order_by("rank")


def public_hot_issues(limit: int = 5) -> list[HotIssue]:
    """The home page's strip: the same issues, titles and counts as the public page."""
    return [issue for issue, _ in public_issues_with_messages(limit)]


PUBLIC_MESSAGES_SHOWN = 5


def public_issues_with_messages(limit: int) -> list[tuple[HotIssue, list[Message]]]:
    """The public view's issues with a few of their messages, re-checked as public now: a
    message hidden since the daily run drops out at once, from the list and the counts, and
    no longer names the issue; an issue with no public message left is not shown."""
    issues = list(latest_issues(public=True)[:limit])
    members: dict[int, list[Message]] = {issue.pk: [] for issue in issues}
    links = HotIssue.messages.through.objects.filter(
        issue__in=issues, message__in=public_messages()
    ).select_related("message__board")
    for link in links.order_by("-message__submitted_at"):
        members[link.issue_id].append(link.message)
    shown = []
    for issue in issues:
        public = members[issue.pk]
        if not public:
            continue
        issue.title, issue.place = _title_and_place(issue, public)
        issue.message_count = len(public)
        issue.author_count = len({message.author_id for message in public})
        issue.likes = sum(max(message.likes, 0) for message in public)
        shown.append((issue, public[:PUBLIC_MESSAGES_SHOWN]))
    return shown


def _title_and_place(issue: HotIssue, readable: list[Message]) -> tuple[str, str]:
    """The issue's title and place, unless the message it is named after is not among the
    `readable` ones: then named after one that is (the earliest)."""
    if any(message.pk == issue.title_message_id for message in readable):
        return issue.title, issue.place
    # Imported here: liuyan.insight.hot brings numpy and scipy.sparse, which no other report
    # page needs, and a new web process would import them before answering its first page.
    from liuyan.insight.hot import main_place

    named = min(readable, key=lambda message: (message.submitted_at, message.pk))
    return named.public_title, main_place(named.public_title, named.public_body)


def may_see_staff_hot_issues(user) -> bool:
    scope = staff_scope(user)
    return scope.has("moderator") or scope.has("leader")


@dataclass(frozen=True)
class IssueForReader:
    """A staff-view issue with only what this reader may read: counts always, text only from
    messages they may see (a leader of one board does not read another board's private ones)."""

    issue: HotIssue
    title: str | None  # None: every message of the issue is private to others
    place: str
    messages: list[Message]


STAFF_MESSAGES_SHOWN = 10


def issues_for_reader(user, issues: list[HotIssue]) -> list[IssueForReader]:
    """Members are read as ids, and only the messages shown are loaded as rows: an issue's
    members grow with the platform (issue #13: 439 rows with every column at 100,000 messages,
    a second of the page), the messages shown do not."""
    links = list(
        HotIssue.messages.through.objects.filter(issue__in=issues)
        .order_by("message__submitted_at", "message_id")
        .values_list("issue_id", "message_id")
    )
    # One query for the whole page instead of can_view's several queries per message.
    readable = set(
        visible_messages(
            user, Message.objects.filter(pk__in=[message_id for _, message_id in links])
        ).values_list("pk", flat=True)
    )
    members: dict[int, list[int]] = {issue.pk: [] for issue in issues}
    partly_hidden: set[int] = set()
    for issue_id, message_id in links:
        if message_id in readable:
            members[issue_id].append(message_id)
        else:
            partly_hidden.add(issue_id)
    # What the page and the naming of a partly hidden issue read, and nothing else.
    loaded = Message.objects.only("serial", "public_title", "public_body", "submitted_at").in_bulk(
        [pk for ids in members.values() for pk in ids[:STAFF_MESSAGES_SHOWN]]
    )
    return [
        _for_reader(issue, members[issue.pk], loaded, hidden=issue.pk in partly_hidden)
        for issue in issues
    ]


def _for_reader(
    issue: HotIssue, visible: list[int], loaded: dict[int, Message], *, hidden: bool
) -> IssueForReader:
    """`visible`: the ids of the members this reader may read, earliest first."""
    shown = [loaded[pk] for pk in visible[:STAFF_MESSAGES_SHOWN]]
    if not hidden or issue.title_message_id in visible:
        return IssueForReader(issue, issue.title, issue.place, shown)
    if not visible:
        return IssueForReader(issue, None, "", [])
    # The message the issue is named after is hidden: name it after the earliest readable one.
    # Imported here for the reason given in _title_and_place.
    from liuyan.insight.hot import main_place

    named = shown[0]
    return IssueForReader(
        issue, named.public_title, main_place(named.public_title, named.public_body), shown
    )
