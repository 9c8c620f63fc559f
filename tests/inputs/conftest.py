"""The desk's fixtures (one object of every kind, uploads in a temporary folder) serve here too:
the sweep and the browser test need every page to have something on it."""

import os

from tests.desk.conftest import (  # noqa: F401 - pytest finds fixtures by name
    _fresh_similarity_index,
    _media_in_tmp,
    objects,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to be
# called from it although the calls are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
