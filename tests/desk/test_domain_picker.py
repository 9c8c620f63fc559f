"""The domain picker is a tree: grouped by first-level domain, third-level domains named with
their parent, and a search box (a static script, no inline code)."""

import re

import pytest
from django.urls import reverse

from liuyan.directory.models import Domain
from tests.desk.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    top = Domain.objects.create(name="城乡建设", level=1)
    estate = Domain.objects.create(name="房地产管理", level=2, parent=top)
    Domain.objects.create(name="物业管理", level=3, parent=estate)
    other = Domain.objects.create(name="教育文体", level=1)
    Domain.objects.create(name="学前教育", level=2, parent=other)
    return top


def _group(html: str, label: str) -> str:
    match = re.search(rf'<optgroup label="{label}">(.*?)</optgroup>', html, re.S)
    assert match, f"no optgroup {label}"
    return match.group(1)


def test_moderator_screening_form_groups_domains_as_a_tree_with_search(client, world, tree):
    message = submit(world)
    client.force_login(world.moderator)
    html = client.get(reverse("desk:moderate_message", args=[message.pk])).content.decode()
    housing = _group(html, "城乡建设")
    assert "房地产管理 › 物业管理" in housing
    assert "学前教育" not in housing and "学前教育" in _group(html, "教育文体")
    # Parents come before their children, not all second levels before all third levels.
    assert housing.index("房地产管理<") < housing.index("房地产管理 › 物业管理")
    assert 'data-filter-for="id_domain"' in html
    assert "js/option-filter.js" in html
    assert "<script>" not in html


def test_the_write_form_groups_subject_areas(client, world, tree):
    client.force_login(world.citizen)
    html = client.get(reverse("portal:write") + f"?board={world.board.pk}").content.decode()
    assert "房地产管理" in _group(html, "城乡建设")
    assert "物业管理" not in html  # citizens pick from two levels
    assert 'data-filter-for="id_domain"' in html


def test_a_grouped_choice_still_validates(client, world, tree):
    from liuyan.desk.forms import ScreenForm

    leaf = Domain.objects.get(name="物业管理")
    form = ScreenForm(
        {"public_title": "路灯", "public_body": "路灯坏了", "type": "complaint", "domain": leaf.pk}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["domain"] == leaf
