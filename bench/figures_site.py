"""Settings for bench/figures.py: liuyan's own, with the URLs of `bench/figures_urls.py`
(liuyan's plus a minimal view). Not part of the product."""

from liuyan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.figures_urls"
