"""gunicorn settings for liuyan, read from the environment.

    gunicorn -c liuyan/gunicorn_conf.py liuyan.wsgi      # what `liuyan serve-prod` runs

Only the standard library is imported here: gunicorn's master reads this file, and a master that
imported Django would hand stale code to the workers it restarts on SIGHUP.

Why these values (see docs/production.md, "Why gunicorn" and "Web server settings"):
- sync workers behind nginx, which buffers slow clients, so a worker is busy only while Django
  works; WEB_CONCURRENCY workers, by default 2 x cores + 1, at most MAX_DEFAULT_WORKERS, so
  the default never outgrows PostgreSQL's connection slots on a large machine;
- no preload by default: every worker imports the application itself after the fork, so
  `kill -HUP` (systemctl reload) starts workers on new code while the old ones finish their
  requests, and no database connection or pool is ever shared across a fork
  (LIUYAN_WEB_PRELOAD=1 trades that for workers that are ready at once, see below);
- post_worker_init warms each worker up (liuyan/ops/warmup.py: the URL configuration and views,
  translations, templates) after it loaded the application and before it takes a request, so
  that no visitor's request pays seconds of imports (bench/first_request.py); the segmenter and
  numpy load in a thread of the worker after its first answer (post_request);
- max_requests with jitter: a worker is replaced after about a thousand requests, so a slow leak
  cannot grow for ever, and the jitter keeps the workers from all restarting at once.
"""

import os

MAX_DEFAULT_WORKERS = 8


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def available_cores() -> int:
    """Cores this process may run on (a container or CPU affinity may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


bind = os.environ.get("LIUYAN_BIND", "127.0.0.1:8000").split(",")
workers = env_int("WEB_CONCURRENCY", default_workers(available_cores()))
# More than one thread turns on gunicorn's gthread worker; give the pool as many connections.
threads = env_int("LIUYAN_WEB_THREADS", 1)

# A request running longer than this is killed (its worker restarted) and answered 502 by nginx.
timeout = env_int("LIUYAN_WEB_TIMEOUT", 30)
# On SIGTERM or SIGHUP, running requests get this long to finish before their worker is killed.
graceful_timeout = env_int("LIUYAN_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # seconds; only gthread workers keep connections, nginx's upstream reuses them

max_requests = env_int("LIUYAN_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0

# LIUYAN_WEB_PRELOAD=1: the master imports the application and warms it up once, and the workers
# start from a fork of it, ready at once (seconds sooner on a small machine whose workers would
# otherwise all import at the same time; bench/first_request.py). The price: `kill -HUP` then
# restarts workers on the master's old code, so a deploy needs `systemctl restart`.
preload_app = os.environ.get("LIUYAN_WEB_PRELOAD", "").strip().lower() in {"1", "true", "yes", "on"}


def when_ready(server: object) -> None:
    """In the master, before the first worker is forked: with preloading, warm up once here and
    close what a fork must not share (the deployment checks may have opened a connection)."""
    if preload_app:
        from django.db import connections

        from liuyan.ops.warmup import warm_up

        warm_up()
        connections.close_all()


def pre_fork(server: object, worker: object) -> None:
    """No database connection of the master's is ever inherited by a worker."""
    if preload_app:
        from django.db import connections

        connections.close_all()


def post_worker_init(worker: object) -> None:
    """In the worker, after the application loaded and before the first request is accepted
    (instant when the master preloaded). Imported here, not at the top: without preloading the
    master must not import Django (see above)."""
    from liuyan.ops.warmup import warm_up

    # The segmenter and numpy wait for the worker's first answer (post_request below).
    warm_up(heavy=False)


def post_request(worker: object, req: object, environ: object, resp: object) -> None:
    """After a worker's first answer, the segmenter and numpy load in a thread of the worker
    while it answers the next pages (a no-op afterwards, and when the master preloaded)."""
    from liuyan.ops.warmup import load_heavy_in_background

    load_heavy_in_background()


# Heartbeat files in memory: a worker on a slow or full disk must not look dead to the master.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Access and error logs on stdout/stderr (journald under systemd) unless paths are given.
accesslog = os.environ.get("LIUYAN_ACCESS_LOG", "-")
errorlog = os.environ.get("LIUYAN_ERROR_LOG", "-")
loglevel = os.environ.get("LIUYAN_WEB_LOG_LEVEL", "info")
# Client address, request, status, bytes, referrer, user agent and time taken in microseconds.
access_log_format = '%({x-real-ip}i)s %(h)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(D)sus'

# X-Forwarded-* headers are believed only from the local proxy (nginx on the same host).
forwarded_allow_ips = os.environ.get("LIUYAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "liuyan-web"
# No control socket: systemd and signals control the server, and two servers on one machine
# would otherwise fight over the same default socket path in $HOME.
control_socket_disable = True
