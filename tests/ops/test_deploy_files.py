"""The samples under deploy/ agree with what the code reads and with each other."""

import re

from liuyan import gunicorn_conf
from liuyan.portal import uploads
from liuyan.web import images

from .servers import ROOT

DEPLOY = ROOT / "deploy"
CODE_READING_ENV = [ROOT / "liuyan" / "settings.py", ROOT / "liuyan" / "gunicorn_conf.py"]
ENV_NAME = re.compile(r"^#?\s*((?:LIUYAN|WEB|DATABASE)_[A-Z_]+)=", re.MULTILINE)


def test_every_variable_in_the_environment_sample_is_read_by_the_code():
    named = set(ENV_NAME.findall((DEPLOY / "liuyan.env.example").read_text()))
    code = "".join(path.read_text() for path in CODE_READING_ENV)
    assert len(named) > 10
    assert {name for name in named if f'"{name}"' not in code} == set()


def test_the_units_run_the_documented_commands_with_the_shared_environment():
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").iterdir()}
    assert "liuyan serve-prod" in units["liuyan-web.service"]
    assert "liuyan db_worker" in units["liuyan-worker.service"]
    assert "liuyan tick" in units["liuyan-tick.service"]
    assert "liuyan mailbox imap --idle" in units["liuyan-mailbox.service"]
    assert "OnCalendar=" in units["liuyan-tick.timer"]
    for name, text in units.items():
        if name.endswith(".service"):
            assert "EnvironmentFile=/etc/liuyan/liuyan.env" in text, name


def test_nginx_accepts_a_full_message_and_waits_longer_than_gunicorn():
    conf = (DEPLOY / "nginx" / "liuyan.conf").read_text()
    body_limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert body_limit_mb * 1024 * 1024 > uploads.MAX_IMAGES * images.MAX_BYTES
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", conf).group(1))
    assert read_timeout > gunicorn_conf.env_int("LIUYAN_WEB_TIMEOUT", 30)
    assert "X-Forwarded-Proto $scheme" in conf  # SECURE_PROXY_SSL_HEADER relies on it
    assert "location /media/" not in conf  # uploads go through Django's permission check
