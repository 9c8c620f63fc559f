"""Where a form sends the browser back to: this site only, whatever a crafted `next` says."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from liuyan.web.redirects import safe_next_path

# Browsers read a backslash as a slash, so "/\evil.example" goes to another site like "//evil".
OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "desk:inbox",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_or_odd_targets_fall_back(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next_path(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", ["/boards/1/", "/desk/inbox/?state=pending", "/s/?q=%E6%B0%B4"])
def test_paths_on_this_site_are_kept(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next_path(request, "/fallback/") == target


def test_next_from_the_query_string_counts_too():
    request = RequestFactory().get("/", {"next": "/boards/2/"})
    assert safe_next_path(request, "/fallback/") == "/boards/2/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["/\\evil.example/", "//evil.example/"])
def test_desk_forms_do_not_send_staff_off_site(client, world, target):
    client.force_login(world.handler)
    response = client.post(reverse("desk:bulk_accept"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:inbox")


@pytest.mark.django_db
def test_follow_does_not_send_citizens_off_site(client, world):
    client.force_login(world.citizen)
    url = reverse("notifications:follow_board", args=[world.board.pk])
    response = client.post(url, {"next": "/\\evil.example/"})
    assert response["Location"] == reverse("notifications:inbox")
