"""Read replicas: public pages, search and reports read from streaming replicas.

Configured by LIUYAN_REPLICA_URLS (settings make the aliases `replica1` … `replicaN` and
register this router and `ReplicaReadMiddleware` only when it is set). Everything else — every
write, every read inside a transaction, every page not listed in settings.REPLICA_READ_VIEWS,
every model outside REPLICA_SAFE_APPS, and every request of a browser that wrote something in
the last LIUYAN_REPLICA_STICKY_SECONDS — goes to `default`, the primary.

A replica is used only while it is healthy: at most every LIUYAN_REPLICA_CHECK_SECONDS each
process asks it how far its replay is behind (`pg_last_xact_replay_timestamp()`, 0 when it has
replayed everything it received) on a short-lived connection of its own, and skips it when the
lag exceeds LIUYAN_REPLICA_MAX_LAG_SECONDS or it does not answer. A page whose query fails on a
replica anyway (it went away between two checks) is answered again from the primary.

Django's documented multi-database hooks (a router and `DATABASES` aliases) do the routing; no
third-party package is needed for a rule this small.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse

logger = logging.getLogger(__name__)

# Set for the duration of a request whose reads may go to a replica; read by the router.
_replica_reads: ContextVar[bool] = ContextVar("liuyan_replica_reads", default=False)
# The replica this request reads from (one per request, so a page sees one snapshot source).
_chosen: ContextVar[str | None] = ContextVar("liuyan_replica_chosen", default=None)

# Browsers that wrote keep reading from the primary until this time (epoch seconds).
WROTE_COOKIE = "liuyan_wrote_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

DJANGO_ONLY_OPTIONS = frozenset(
    {"pool", "isolation_level", "server_side_binding", "assume_role", "cursor_factory"}
)
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE "
    "WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END"
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaHealth:
    """Per-process cache of each replica's lag, refreshed at most every `check_seconds`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked: dict[str, tuple[float, bool]] = {}

    def healthy(self, alias: str) -> bool:
        now = time.monotonic()
        checked = self._checked.get(alias)
        if checked and now - checked[0] < settings.LIUYAN_REPLICA_CHECK_SECONDS:
            return checked[1]
        with self._lock:
            checked = self._checked.get(alias)
            if checked and now - checked[0] < settings.LIUYAN_REPLICA_CHECK_SECONDS:
                return checked[1]
            ok = self._measure(alias)
            self._checked[alias] = (time.monotonic(), ok)
            return ok

    def mark_down(self, alias: str) -> None:
        with self._lock:
            self._checked[alias] = (time.monotonic(), False)

    def forget(self) -> None:
        with self._lock:
            self._checked.clear()

    def _measure(self, alias: str) -> bool:
        import psycopg

        conf = settings.DATABASES[alias]
        # libpq parameters of the alias (sslmode, sslrootcert …), not Django's own options.
        libpq = {
            key: value
            for key, value in conf.get("OPTIONS", {}).items()
            if key not in DJANGO_ONLY_OPTIONS
        }
        libpq.pop("connect_timeout", None)  # the check's own, shorter one applies
        try:
            with psycopg.connect(
                **libpq,
                host=conf.get("HOST") or None,
                port=conf.get("PORT") or None,
                dbname=conf["NAME"],
                user=conf.get("USER") or None,
                password=conf.get("PASSWORD") or None,
                connect_timeout=settings.LIUYAN_REPLICA_CONNECT_TIMEOUT,
                autocommit=True,
            ) as conn:
                row = conn.execute(LAG_SQL).fetchone()
        except psycopg.Error as error:
            logger.warning("Replica %s unreachable, reading from the primary: %s", alias, error)
            return False
        if row is None or not row[0]:
            logger.warning("Replica %s is not in recovery (not a replica); not used", alias)
            return False
        lag = float(row[1])
        if lag > settings.LIUYAN_REPLICA_MAX_LAG_SECONDS:
            logger.warning("Replica %s is %.1f s behind, reading from the primary", alias, lag)
            return False
        return True


health = ReplicaHealth()


def _pick_replica() -> str | None:
    chosen = _chosen.get()
    if chosen is not None:
        return chosen or None
    candidates = [alias for alias in replica_aliases() if health.healthy(alias)]
    pick = random.choice(candidates) if candidates else ""  # load spreading, not security
    _chosen.set(pick)
    return pick or None


@contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Let the reads inside the block go to a healthy replica (the middleware's switch)."""
    token = _replica_reads.set(allowed)
    chosen = _chosen.set(None)
    try:
        yield
    finally:
        _chosen.reset(chosen)
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads of replica-safe models in a replica-allowed request go to a replica."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _replica_reads.get():
            return None
        if model._meta.app_label not in settings.REPLICA_SAFE_APPS:  # type: ignore[attr-defined]
            return None
        # A transaction on the primary reads its own uncommitted rows: stay there.
        if connections["default"].in_atomic_block:
            return None
        return _pick_replica()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Replicas hold the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReplicaReadMiddleware:
    """Switches replica reads on for the listed read-only pages, with read-your-own-writes.

    A request other than GET/HEAD/OPTIONS marks the browser with a cookie for
    LIUYAN_REPLICA_STICKY_SECONDS; while it lasts, that browser reads everything from the
    primary, so whoever just wrote sees the write on the next page whatever the replicas' lag.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        wrote = request.method not in SAFE_METHODS
        response = self.get_response(request)
        if wrote:
            sticky = settings.LIUYAN_REPLICA_STICKY_SECONDS
            response.set_cookie(
                WROTE_COOKIE,
                str(int(time.time()) + sticky),
                max_age=sticky,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponseBase | None:
        if not self._may_use_replica(request):
            return None

        def answer() -> HttpResponseBase:
            response = view_func(request, *view_args, **view_kwargs)
            # Template responses render lazily: render inside the block, on the same replica.
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
            return response

        with replica_reads():
            try:
                return answer()
            except DatabaseError as error:
                alias = _chosen.get()
                if not alias:
                    raise
                # The replica went away between two health checks: skip it from now on and
                # answer this page from the primary instead of showing an error.
                logger.warning(
                    "Replica %s failed a read, answering from the primary: %s", alias, error
                )
                health.mark_down(alias)
                if alias in settings.DATABASES:
                    with suppress(DatabaseError):
                        connections[alias].close()
        return answer()

    def _may_use_replica(self, request: HttpRequest) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        match = request.resolver_match
        if match is None or match.view_name not in settings.REPLICA_READ_VIEWS:
            return False
        try:
            if int(request.COOKIES.get(WROTE_COOKIE, "0")) > time.time():
                return False
        except ValueError:
            pass
        return bool(replica_aliases())
