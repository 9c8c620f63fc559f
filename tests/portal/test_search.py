"""The search page finds public messages, in either script, and never a private one."""

from __future__ import annotations

from django.urls import reverse


def test_search_in_traditional_characters_finds_the_public_message(client, world, make):
    public = make.dispatched(title="小区路灯损坏无人修理")
    private = make.dispatched(title="小区路灯损坏无人修理", public=False)
    response = client.get(reverse("portal:search") + "?q=路燈")
    found = [hit.message for hit in response.context["results"].hits]
    assert public in found and private not in found
    assert "<mark>" in response.text


def test_search_filters_by_type(client, world, make):
    make.dispatched(title="小区路灯损坏无人修理")
    response = client.get(reverse("portal:search") + "?q=路灯&type=suggestion")
    assert response.context["results"].hits == []
