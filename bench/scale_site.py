"""Settings for bench/scale.py: bench/figures_site.py's (liuyan's own settings, with the
minimal view of `bench/figures_urls.py`), plus bench/scale_queries.py's middleware first, which
tells the client how many SQL queries each request ran. Not part of the product."""

from bench.figures_site import *  # noqa: F403

MIDDLEWARE = ["bench.scale_queries.CountQueries", *MIDDLEWARE]  # noqa: F405
