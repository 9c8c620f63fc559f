import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuyan.settings")
application = get_wsgi_application()

# Refuse to start, with the reason, rather than answer every page with a 500 (liuyan/ops/checks.py).
from liuyan.ops.checks import stop_unless_ready_to_serve  # noqa: E402

stop_unless_ready_to_serve()
