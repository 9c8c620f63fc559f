"""Background work of the message domain: keeping the stored similarity index fresh.

`liuyan tick` calls `queue_similarity_index(now=...)`; it queues one run for the task worker when
the stored index is older than similarity.SNAPSHOT_SECONDS and no run was queued within that
time (a marker file next to the index remembers when), so a web process never builds it.
"""

from __future__ import annotations

import time

from django_tasks import task

from . import similarity


@task()
def store_similarity_index_task() -> int:
    """Top up (or, once a day, rebuild) the stored index; returns how many messages it holds."""
    return similarity.store_index().messages


def _queued_marker():
    return similarity.snapshot_path().with_suffix(".queued")


def queue_similarity_index() -> bool:
    """Queue a run when the stored index is due; True if queued."""
    if not similarity.USE_SNAPSHOT:
        return False
    age = similarity.snapshot_age_seconds()
    if age is not None and age < similarity.SNAPSHOT_SECONDS:
        return False
    marker = _queued_marker()
    try:
        if time.time() - marker.stat().st_mtime < similarity.SNAPSHOT_SECONDS:
            return False
    except FileNotFoundError:
        pass
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    store_similarity_index_task.enqueue()
    return True
