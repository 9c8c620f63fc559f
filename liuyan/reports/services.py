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

    The clustering reads only the window's messages (about 60,000 at 2,000 a day); it runs
    outside the transaction, which holds locks only while rows are swapped.
    """
    run = run or HotIssueRun.objects.create(queued_at=now)
    since = now - timedelta(days=WINDOW_DAYS)
    run.started_at, run.window_start, run.window_end = now, since, now
    # Where each message was filed keeps one problem in two prefectures apart: the texts name
    # real regions, which insight.hot does not compare. One read of the tree serves both views.
    paths = region_paths()
    staff = _computed(since=since, until=now, public=False, paths=paths)
    public = _computed(since=since, until=now, public=True, paths=paths)
    with transaction.atomic():
        HotIssue.objects.all().delete()
        _save(run, staff, is_public_view=False, now=now)
        _save(run, public, is_public_view=True, now=now)
        run.staff_messages, run.public_messages = staff.considered, public.considered
        run.finished_at = now
        run.save()
    return run


class _Computed:
    def __init__(self, issues: list[ComputedIssue], sources: dict, considered: int):
        self.issues, self.sources, self.considered = issues, sources, considered


def _computed(
    *, since: datetime, until: datetime, public: bool, paths: dict[int, tuple[int, ...]]
) -> _Computed:
    sources = {s.id: s for s in selectors.hot_sources(since=since, until=until, public=public)}
    messages = [
        HotMessage(
            id=s.id,
            title=s.title,
            body=s.body,
            time=s.time,
            author=str(s.author_id),
            likes=s.likes,
            region_path=paths.get(s.region_id, ()),
        )
        for s in sources.values()
    ]
    issues = hot_issues(messages, top=TOP_ISSUES, now=until)
    return _Computed(issues, sources, len(messages))


def _message_ids(issue: ComputedIssue) -> list[int]:
    """insight.hot hands back the ids it was given (typed Hashable there): message pks here."""
    return cast(list[int], issue.message_ids)


def _title_message(issue: ComputedIssue, sources: dict) -> int | None:
    """insight.hot names an issue after one member's (normalised) title: find that member."""
    ids = _message_ids(issue)
    return next(
        (i for i in ids if normalize(sources[i].title) == issue.title),
        ids[0] if ids else None,
    )


def _main_region(issue: ComputedIssue, sources: dict) -> int | None:
    regions = Counter(sources[i].region_id for i in issue.message_ids)
    return regions.most_common(1)[0][0] if regions else None


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
            title_message_id=_title_message(issue, computed.sources),
            place=issue.place[:100],
            region_id=_main_region(issue, computed.sources),
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
