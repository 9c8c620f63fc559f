"""Reads for reports: the messages hot issues are computed from, and the issues as each reader
may see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, Substr

from liuyan.board.access import PUBLIC_STATES, staff_scope, visible_messages
from liuyan.board.models import Message
from liuyan.board.selectors import public_messages
from liuyan.core.lifecycle import State

from .models import HotIssue, HotIssueMessage

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


# public_messages(), read through an issue's link rows: the members that are public now.
PUBLIC_MEMBER = Q(message__is_public=True, message__state__in=PUBLIC_STATES)


def _public_issues(limit: int) -> list[HotIssue]:
    """The public view's first issues, each saying whether the message it is named after is
    still a public member (`title_public`): one query, whatever the issues' sizes."""
    named_public = HotIssueMessage.objects.filter(
        PUBLIC_MEMBER, issue=OuterRef("pk"), message_id=OuterRef("title_message_id")
    )
    return list(latest_issues(public=True).annotate(title_public=Exists(named_public))[:limit])


def _title_public(issue: HotIssue) -> bool:
    return issue.title_public  # type: ignore[attr-defined]  # annotated by _public_issues


def public_hot_issues(limit: int = 5) -> list[HotIssue]:
    """The home page's strip: the same issues and titles as the public page, without reading
    their members (issue #13: they grow with the platform), except to rename an issue whose
    name-giving message was hidden since the daily run."""
    issues = _public_issues(limit)
    renamed = _renamed([issue for issue in issues if not _title_public(issue)])
    return [issue for issue in issues if _title_public(issue) or issue.pk in renamed]


def _first_public_members(issue_ids: list[int], n: int, *, newest: bool) -> QuerySet:
    """The link rows of the first `n` public members of each issue (newest or earliest first),
    with the member loaded: one query for every issue, the window numbering members in the
    database instead of loading them all."""
    order = (F("message__submitted_at"), F("message_id"))
    return (
        HotIssueMessage.objects.filter(PUBLIC_MEMBER, issue_id__in=issue_ids)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=F("issue_id"),
                order_by=[field.desc() if newest else field.asc() for field in order],
            )
        )
        .filter(row__lte=n)
        .order_by("issue_id", "row")
    )


def _renamed(issues: list[HotIssue]) -> set[int]:
    """Name `issues`, whose message is no longer public, after their earliest public member;
    the ids of those that have one."""
    if not issues:
        return set()
    # Imported here: liuyan.insight.hot brings numpy and scipy.sparse, which no other report
    # page needs, and a new web process would import them before answering its first page.
    from liuyan.insight.hot import main_place

    by_id = {issue.pk: issue for issue in issues}
    earliest = _first_public_members(list(by_id), 1, newest=False).values_list(
        "issue_id", "message__public_title", "message__public_body"
    )
    for issue_id, title, body in earliest:
        by_id[issue_id].title, by_id[issue_id].place = title, main_place(title, body)
    return {issue_id for issue_id, _, _ in earliest}


PUBLIC_MESSAGES_SHOWN = 5


def public_issues_with_messages(limit: int) -> list[tuple[HotIssue, list[Message]]]:
    """The public view's issues with a few of their messages, re-checked as public now: a
    message hidden since the daily run drops out at once, from the list and the counts, and
    no longer names the issue; an issue with no public message left is not shown.

    Counted by the database and only the messages shown loaded, with the columns the page
    reads (issue #13: 726-1,553 members an issue at a million messages)."""
    issues = _public_issues(limit)
    ids = [issue.pk for issue in issues]
    counts = {
        row["issue_id"]: row
        for row in HotIssueMessage.objects.filter(PUBLIC_MEMBER, issue_id__in=ids)
        .values("issue_id")
        .annotate(
            messages=Count("message_id"),
            authors=Count("message__author_id", distinct=True),
            # Messages without an author (a hotline caller, a letter) count as one writer, as
            # the daily run counts them.
            anonymous=Count("pk", filter=Q(message__author_id__isnull=True)),
            likes=Sum("message__likes"),
        )
        .order_by()
    }
    shown: dict[int, list[Message]] = {pk: [] for pk in ids}
    links = (
        _first_public_members(ids, PUBLIC_MESSAGES_SHOWN, newest=True)
        .select_related("message__board")
        .only("issue_id", "message__serial", "message__public_title", "message__board__name")
    )
    for link in links:
        shown[link.issue_id].append(link.message)
    _renamed([issue for issue in issues if not _title_public(issue) and issue.pk in counts])
    result = []
    for issue in issues:
        if issue.pk not in counts:
            continue
        issue.message_count = counts[issue.pk]["messages"]
        issue.author_count = counts[issue.pk]["authors"] + (counts[issue.pk]["anonymous"] > 0)
        issue.likes = counts[issue.pk]["likes"] or 0
        result.append((issue, shown[issue.pk]))
    return result


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
    """Which members this reader may read is decided in the database, one Exists per link row,
    and only the messages shown are loaded: an issue's members grow with the platform (issue
    #13: ~3,500 member ids at a million messages, which psycopg spent ~110 ms binding as a
    literal `IN` list), the messages shown do not."""
    ids = [issue.pk for issue in issues]
    # One Membership read here; the rule of can_view for each link's message as one query.
    visible = visible_messages(user, Message.objects.all())
    readable = Exists(visible.filter(pk=OuterRef("message_id")))
    links = HotIssueMessage.objects.filter(issue_id__in=ids)
    flags = {
        issue_id: (hidden, named)
        for issue_id, hidden, named in links.values("issue_id")
        .annotate(
            hidden=Count("pk", filter=~readable),
            named=Count("pk", filter=Q(readable, message_id=F("issue__title_message_id"))),
        )
        .order_by()
        .values_list("issue_id", "hidden", "named")
    }
    shown: dict[int, list[Message]] = {pk: [] for pk in ids}
    first = (
        links.filter(readable)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=F("issue_id"),
                order_by=[F("message__submitted_at").asc(), F("message_id").asc()],
            )
        )
        .filter(row__lte=STAFF_MESSAGES_SHOWN)
        .select_related("message")
        # What the page and the naming of a partly hidden issue read, and nothing else.
        .only("issue_id", "message__serial", "message__public_title", "message__submitted_at")
        .order_by("issue_id", "row")
    )
    for link in first:
        shown[link.issue_id].append(link.message)
    named = {pk for pk, (hidden, titled) in flags.items() if not hidden or titled}
    renamed = [shown[pk][0].pk for pk in ids if pk in flags and pk not in named and shown[pk]]
    # The bodies of the few messages a partly hidden issue is renamed after, in one query.
    bodies = dict(Message.objects.filter(pk__in=renamed).values_list("pk", "public_body"))
    return [
        _for_reader(
            issue, shown[issue.pk], named=issue.pk in named or issue.pk not in flags, bodies=bodies
        )
        for issue in issues
    ]


def _for_reader(
    issue: HotIssue, shown: list[Message], *, named: bool, bodies: dict[int, str]
) -> IssueForReader:
    """`shown`: the first members this reader may read, earliest first; `named`: whether they
    may read the message the issue is named after (or every member)."""
    if named:
        return IssueForReader(issue, issue.title, issue.place, shown)
    if not shown:
        return IssueForReader(issue, None, "", [])
    # The message the issue is named after is hidden: name it after the earliest readable one.
    # Imported here for the reason given in _renamed.
    from liuyan.insight.hot import main_place

    named_after = shown[0]
    place = main_place(named_after.public_title, bodies[named_after.pk])
    return IssueForReader(issue, named_after.public_title, place, shown)
