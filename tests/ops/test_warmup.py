"""A gunicorn worker is warmed up before its first request: the mechanism, not a timing.

Measured in bench/first_request.py; here, in a fresh interpreter (the test process has imported
everything already), that gunicorn's post_worker_init hook imports the URL configuration and
the views, loads the segmenter (in a thread of the worker, after its first answer), opens no
database connection (a worker must not inherit or share one), and that the views no longer drag
scikit-learn, scipy, numpy or rjieba in at import (a new process answers sooner without them);
with LIUYAN_WEB_PRELOAD the master's hook closes the connections a fork would share.
"""

import json
import subprocess
import sys

from .servers import ROOT, production_env

PROBE = """
import json, sys
import django
django.setup()
from django.db import connections
from liuyan import gunicorn_conf
import liuyan.insight.text as text

before = {name: name in sys.modules for name in ("liuyan.urls", "liuyan.desk.views.moderator")}
from django.urls import get_resolver
get_resolver().url_patterns
with_views = sorted(m for m in ("numpy", "scipy", "rjieba", "sklearn") if m in sys.modules)
gunicorn_conf.post_worker_init(None)
segmenter_before_first_answer = text._segmenter is not None
gunicorn_conf.post_request(None, None, None, None)
import threading
for thread in threading.enumerate():
    if thread.name == "warm-up":
        thread.join(60)
# With LIUYAN_WEB_PRELOAD the master warms up and closes its connections before forking.
import importlib, os
os.environ["LIUYAN_WEB_PRELOAD"] = "1"
preloading = importlib.reload(gunicorn_conf)
connections["default"].ensure_connection()
preloading.when_ready(None)
open_after_preload = [a for a in connections if connections[a].connection is not None]
print(json.dumps({
    "preload": preloading.preload_app,
    "open_after_preload": open_after_preload,
    "before": before,
    "with_views": with_views,
    "segmenter_before_first_answer": segmenter_before_first_answer,
    "urls": "liuyan.urls" in sys.modules,
    "moderator_views": "liuyan.desk.views.moderator" in sys.modules,
    "reports_views": "liuyan.reports.views" in sys.modules,
    "segmenter": text._segmenter is not None,
    "connections": [alias for alias in connections if connections[alias].connection is not None],
    "heavy": sorted(m for m in sys.modules if m.split(".")[0] == "sklearn"
                    or m.startswith(("scipy.cluster", "scipy.stats"))),
}))
"""


def test_the_worker_hook_imports_the_urls_and_views_before_any_request(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="liuyan.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == {"liuyan.urls": False, "liuyan.desk.views.moderator": False}
    assert seen["urls"] and seen["moderator_views"] and seen["reports_views"]
    assert seen["with_views"] == []  # imported by the pages that use them, or the warm-up
    assert not seen["segmenter_before_first_answer"]  # the first answer does not wait for it
    assert seen["segmenter"]
    assert seen["connections"] == []
    assert seen["heavy"] == []  # clustering libraries wait for the code that clusters
    assert seen["preload"] is True and seen["open_after_preload"] == []
