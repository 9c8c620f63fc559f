"""Report fixtures: messages made through the board services (the portal's Maker)."""

from __future__ import annotations

import pytest

from tests.portal.conftest import Maker


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def domain(db):
    from liuyan.directory.models import Domain

    top = Domain.objects.create(name="城乡建设", level=1)
    return Domain.objects.create(name="市政设施", level=2, parent=top)


@pytest.fixture
def make(world, domain) -> Maker:
    return Maker(world, domain)
