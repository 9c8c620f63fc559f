"""Reads for reports: the messages hot issues are computed from, and the issues as each reader
may see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.functions import Substr

from liuyan.board.access import can_view
from liuyan.board.models import Message
from liuyan.board.selectors import public_messages
from liuyan.core.lifecycle import State
from liuyan.desk.selectors import staff_scope
from liuyan.insight.hot import main_place

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


def hot_sources(*, since: datetime, until: datetime, public: bool) -> Iterator[HotSource]:
    """Messages of the window: public ones only for the public view; for the staff view every
    message that was not thrown out, private and unscreened ones included. Masked texts only,
    so an issue's title never carries a phone number."""
    messages = public_messages() if public else Message.objects.exclude(state__in=THROWN_OUT)
    rows = (
        messages.filter(submitted_at__gte=since, submitted_at__lt=until)
        .annotate(body_start=Substr("public_body", 1, BODY_CHARS))
        .values_list(
            "pk", "public_title", "body_start", "submitted_at", "author_id", "likes", "region_id"
        )
        .order_by("pk")
    )
    for row in rows.iterator(chunk_size=5000):
        yield HotSource(*row)


def latest_issues(*, public: bool) -> QuerySet[HotIssue]:
    return HotIssue.objects.filter(is_public_view=public).select_related("region").order_by("rank")


def public_hot_issues(limit: int = 5) -> list[HotIssue]:
    return list(latest_issues(public=True)[:limit])


PUBLIC_MESSAGES_SHOWN = 5


def public_issues_with_messages(limit: int) -> list[tuple[HotIssue, list[Message]]]:
    """The public view's issues with a few of their messages, re-checked as public now (a
    message hidden since the daily run drops out at once)."""
    issues = list(latest_issues(public=True)[:limit])
    members: dict[int, list[Message]] = {issue.pk: [] for issue in issues}
    links = HotIssue.messages.through.objects.filter(
        issue__in=issues, message__in=public_messages()
    ).select_related("message__board")
    for link in links.order_by("-message__submitted_at"):
        if len(members[link.issue_id]) < PUBLIC_MESSAGES_SHOWN:
            members[link.issue_id].append(link.message)
    return [(issue, members[issue.pk]) for issue in issues]


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
    members: dict[int, list[Message]] = {issue.pk: [] for issue in issues}
    through = HotIssue.messages.through.objects.filter(issue__in=issues).select_related(
        "message__board", "message__region"
    )
    for link in through.order_by("message__submitted_at"):
        members[link.issue_id].append(link.message)
    return [_for_reader(user, issue, members[issue.pk]) for issue in issues]


def _for_reader(user, issue: HotIssue, members: list[Message]) -> IssueForReader:
    visible = [message for message in members if can_view(user, message)]
    if len(visible) == len(members):
        return IssueForReader(issue, issue.title, issue.place, visible[:STAFF_MESSAGES_SHOWN])
    if not visible:
        return IssueForReader(issue, None, "", [])
    # Some members are hidden from this reader: name the issue after one they may read.
    shown = next((m for m in visible if m.pk == issue.title_message_id), visible[0])
    return IssueForReader(
        issue,
        shown.public_title,
        main_place(shown.public_title, shown.public_body),
        visible[:STAFF_MESSAGES_SHOWN],
    )
