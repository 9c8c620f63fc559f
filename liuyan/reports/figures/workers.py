"""Entry points of the processes that count a rebuild (services._rebuild_in_parallel).

A spawned worker unpickles its functions by importing their module before its initializer has
set Django up, so they live here, where nothing imports a model until Django is ready.
"""

from __future__ import annotations


def start(database_name: str) -> None:
    """A worker's start: Django set up from the inherited environment, on the same database."""
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database_name


def count_range(bounds: tuple[int, int]) -> tuple[int, bytes, bytes]:
    from .services import count_range as count

    return count(bounds)
