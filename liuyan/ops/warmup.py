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

What must be ready before a worker takes its first request is only what every page needs: the
URL configuration with the views, the translations and the base template. The heavy parts that
only some pages use (the segmenter, which search and every written message need, and numpy with
scipy.sparse behind the similarity index and the classifier) are no longer imported by the
views; a worker loads them in a daemon thread after it answered its first request
(`load_heavy_in_background`, from gunicorn's post_request hook), and a page that needs one
before that waits only for what is still missing (the segmenter has its lock, imports have
Python's module locks). A master that preloads (LIUYAN_WEB_PRELOAD=1) loads
everything in its main thread before it forks: no thread of the master may run across a fork.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

log = logging.getLogger(__name__)


def warm_up(*, heavy: bool = True) -> float:
    """Import the URL configuration and views, load translations and templates, and, when
    `heavy`, the segmenter and numpy too. Returns the seconds it took. Never touches the
    database."""
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
    if heavy:
        _heavy_started.set()
        _load_heavy()
    seconds = time.perf_counter() - started
    log.info("Warmed up in %.2f s (%d URL patterns)", seconds, len(patterns))
    return seconds


_heavy_started = threading.Event()


def load_heavy_in_background() -> None:
    """Once per process, after its first answer (gunicorn's post_request hook): the segmenter and
    numpy in a daemon thread. Not before: on a small machine five workers loading them at once
    would delay every worker's first page; a page that needs one sooner loads it itself."""
    if _heavy_started.is_set():
        return
    _heavy_started.set()
    threading.Thread(target=_load_heavy, name="warm-up", daemon=True).start()


def _load_heavy() -> None:
    """What only some pages need, so that their first visitor does not wait for it either."""
    started = time.perf_counter()
    try:
        from liuyan.insight.text import segmenter

        segmenter()  # rjieba and our domain words: search and every message written need it
        # numpy for the domain suggestions; numpy and scipy.sparse for the similarity index.
        for module in ("liuyan.insight.classify", "liuyan.insight.similar"):
            importlib.import_module(module)
    except Exception:  # a worker serves without it: the first page that needs it loads it
        log.exception("Warming up the segmenter and the insight modules failed")
        return
    log.info("Segmenter and insight modules loaded in %.2f s", time.perf_counter() - started)
