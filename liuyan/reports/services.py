"""Writes for reports: the daily hot-issue computation."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import cast

from django.db import transaction

from liuyan.directory.selectors import region_paths
from liuyan.insight.hot import HotIssue as ComputedIssue
from liuyan.insight.hot import HotMessage, hot_issues
from liuyan.insight.text import normalize

from . import selectors
from .models import HotIssue, HotIssueMessage, HotIssueRun

WINDOW_DAYS = 30
TOP_ISSUES = 50  # the staff page lists them all; the public pages show the first few


def refresh_hot_issues(*, now: datetime, run: HotIssueRun | None = None) -> HotIssueRun:
    """Compute both views of the last WINDOW_DAYS and replace the previous rows in one
    transaction, so readers see either yesterday's issues or today's, never a mixture.

    The clustering reads only the window's messages (about 60,000 at 2,000 a day), once: the
    staff view's rows say which are public, and the public view clusters that subset of the
    same objects (the texts are held once). What is kept of each message after clustering is
    its region (for the issue's main region). It runs outside the transaction, which holds
    locks only while rows are swapped. Measured in bench/hot_issues_scale.py.
    """
    run = run or HotIssueRun.objects.create(queued_at=now)
    since = now - timedelta(days=WINDOW_DAYS)
    run.started_at, run.window_start, run.window_end = now, since, now
    # Where each message was filed keeps one problem in two prefectures apart: the texts name
    # real regions, which insight.hot does not compare. One read of the tree serves both views.
    paths = region_paths()
    staff_messages: list[HotMessage] = []
    public_messages: list[HotMessage] = []
    regions: dict[int, int] = {}
    titles: dict[int, str] = {}
    for source in selectors.hot_sources(since=since, until=now, public=False):
        message = HotMessage(
            id=source.id,
            title=source.title,
            body=source.body,
            time=source.time,
            author=str(source.author_id),
            likes=source.likes,
            region_path=paths.get(source.region_id, ()),
        )
        regions[source.id], titles[source.id] = source.region_id, source.title
        staff_messages.append(message)
        if source.public:
            public_messages.append(message)
    staff = _computed(staff_messages, until=now, titles=titles, regions=regions)
    del staff_messages  # the public list holds what the public view needs
    public = _computed(public_messages, until=now, titles=titles, regions=regions)
    del public_messages
    with transaction.atomic():
        HotIssue.objects.all().delete()
        _save(run, staff, is_public_view=False, now=now)
        _save(run, public, is_public_view=True, now=now)
        run.staff_messages, run.public_messages = staff.considered, public.considered
        run.finished_at = now
        run.save()
    return run


class _Computed:
    def __init__(
        self,
        issues: list[ComputedIssue],
        titles: dict[int, str],
        regions: dict[int, int],
        considered: int,
    ):
        self.issues, self.titles, self.regions = issues, titles, regions
        self.considered = considered


def _computed(
    messages: list[HotMessage], *, until: datetime, titles: dict[int, str], regions: dict[int, int]
) -> _Computed:
    issues = hot_issues(messages, top=TOP_ISSUES, now=until)
    return _Computed(issues, titles, regions, len(messages))


def _message_ids(issue: ComputedIssue) -> list[int]:
    """insight.hot hands back the ids it was given (typed Hashable there): message pks here."""
    return cast(list[int], issue.message_ids)


def _title_message(issue: ComputedIssue, titles: dict[int, str]) -> int | None:
    """insight.hot names an issue after one member's (normalised) title: find that member."""
    ids = _message_ids(issue)
    return next(
        (i for i in ids if normalize(titles[i]) == issue.title),
        ids[0] if ids else None,
    )


def _main_region(issue: ComputedIssue, regions: dict[int, int]) -> int | None:
    counted = Counter(regions[i] for i in _message_ids(issue))
    return counted.most_common(1)[0][0] if counted else None


def _save(run: HotIssueRun, computed: _Computed, *, is_public_view: bool, now: datetime) -> None:
    window_start, window_end = run.window_start, run.window_end
    assert window_start is not None and window_end is not None, "set by refresh_hot_issues"
    for issue in computed.issues:
        # Every message has a time, so every issue has a first and a last one.
        first, last = cast(datetime, issue.first), cast(datetime, issue.last)
        row = HotIssue.objects.create(
            run=run,
            is_public_view=is_public_view,
            rank=issue.rank,
            title=issue.title[:100],
            title_message_id=_title_message(issue, computed.titles),
            place=issue.place[:100],
            region_id=_main_region(issue, computed.regions),
            heat=issue.heat,
            first_at=first,
            last_at=last,
            message_count=len(issue.message_ids),
            author_count=issue.authors,
            likes=issue.likes,
            window_start=window_start,
            window_end=window_end,
            computed_at=now,
        )
        HotIssueMessage.objects.bulk_create(
            HotIssueMessage(issue=row, message_id=message_id) for message_id in _message_ids(issue)
        )
