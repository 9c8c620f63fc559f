"""`liuyan serve-prod` prepares the site and starts real gunicorn workers that serve it."""

import re
import signal
import subprocess
import time

import pytest

from .servers import LIUYAN, ROOT, free_port, get, production_env, said, wait_for, worker_pids

DEBUG_ON = (
    "serve-prod is the production server, but LIUYAN_DEBUG is on. Unset it (or "
    "set LIUYAN_DEBUG=0) and set LIUYAN_SECRET_KEY and LIUYAN_ALLOWED_HOSTS."
)


def test_serve_prod_refuses_debug_mode(tmp_path):
    env = production_env(tmp_path, LIUYAN_DEBUG="1")
    result = subprocess.run(
        [*LIUYAN, "serve-prod"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "LIUYAN_DEBUG" in result.stderr and said(DEBUG_ON) in result.stderr


def test_the_gunicorn_config_has_production_defaults():
    from liuyan import gunicorn_conf

    assert gunicorn_conf.default_workers(1) == 3
    assert gunicorn_conf.default_workers(64) == gunicorn_conf.MAX_DEFAULT_WORKERS
    assert gunicorn_conf.max_requests_jitter > 0
    assert gunicorn_conf.preload_app is False
    assert gunicorn_conf.accesslog == "-"


@pytest.mark.slow
def test_serve_prod_collects_static_files_migrates_and_serves_with_two_workers(tmp_path):
    server, base, log = start_serve_prod(tmp_path, WEB_CONCURRENCY="2")
    try:
        status, page = get(base + "/")
        assert status == 200
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
        status, css = get(base + stylesheet.decode())
        assert status == 200 and css  # hashed name from the manifest, served by whitenoise
        before = worker_pids(server.pid)
        assert len(before) == 2  # serve-prod became the gunicorn master

        server.send_signal(signal.SIGHUP)  # systemctl reload: new workers, same master
        wait_until(lambda: not set(before) & set(worker_pids(server.pid)), seconds=60)
        wait_until(lambda: len(worker_pids(server.pid)) == 2, seconds=60)
        assert get(base + "/")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)  # graceful stop
        assert server.wait(timeout=60) == 0
        log.seek(0)
        output = log.read()
    assert said("Collecting static files into %(dir)s…") in output
    assert said("Applying database migrations…") in output
    assert re.search(r'"GET / HTTP/1.1" 200 \d+ .* \d+us', output)  # the access log


def wait_until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.5)


def start_serve_prod(tmp_path, attempts: int = 3, **env):
    """`liuyan serve-prod` answering on a port of our range, its base URL and its log.

    The port is free when chosen but only bound after collectstatic and migrate, so another
    program may take it meanwhile: then gunicorn says "Connection in use" and we try another.
    """
    for attempt in range(attempts):
        port = free_port()
        log = (tmp_path / f"server-{attempt}.log").open("w+")
        server = subprocess.Popen(
            [*LIUYAN, "serve-prod"],
            cwd=ROOT,
            env=production_env(tmp_path, LIUYAN_BIND=f"127.0.0.1:{port}", **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/", server, seconds=240)
            return server, base, log
        except AssertionError:
            if server.poll() is None:
                server.kill()
            server.wait()
            log.seek(0)
            output = log.read()
            if "Connection in use" not in output:
                raise AssertionError(output[-3000:]) from None
    raise AssertionError(f"every port we chose was taken before gunicorn bound it ({attempts})")
