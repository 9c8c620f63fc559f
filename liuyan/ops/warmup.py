"""Warm a web worker up before it takes requests, so that no visitor pays for a process's start.

Django imports the URL configuration, and with it every view and what the views import (numpy,
the segmenter, the insight modules …), on the first request a process serves; translations,
templates and the segmenter's dictionary load on first use too. In a new gunicorn worker that
made the first page wait seconds. gunicorn's ``post_worker_init`` hook (liuyan/gunicorn_conf.py)
calls `warm_up()` in each worker after it loaded the application and before it accepts a
connection; the listening socket is the master's, so a request arriving meanwhile waits in its
backlog for a ready worker rather than for a worker's imports.

Why after the fork and not `preload_app`: preloading would import all this once in the master
and share it with the workers by fork, but then `kill -HUP` (systemctl reload) would restart
workers on the master's old code, and anything opened at import time (a database connection, a
thread) would be shared across the fork. Here every worker imports for itself; nothing is opened
that a fork could share: no database query runs, and the similarity index stays with the worker
that first needs it (liuyan/board/similarity.py loads it in a thread of that worker).
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Import the URL configuration and views, load translations, templates and the segmenter.
    Returns the seconds it took. Never touches the database."""
    started = time.perf_counter()
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    # Every module named by the URL configuration (the views and their imports) is imported now.
    patterns = get_resolver().url_patterns
    for language, _name in settings.LANGUAGES:
        translation.activate(language)  # loads this language's catalogs
    translation.deactivate()
    get_template("base.html")  # the template engine, its loaders and the common base template

    from liuyan.insight.text import segmenter

    segmenter()  # rjieba and our domain words: search and every message written need it
    seconds = time.perf_counter() - started
    log.info("Worker warmed up in %.2f s (%d URL patterns)", seconds, len(patterns))
    return seconds
