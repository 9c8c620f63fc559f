"""Full-text search over published public suggestions: the message search's segmentation on
SQLite FTS5 and PostgreSQL tsvector, masked results, nothing private or unscreened."""

import pytest
from django.urls import reverse

from liuyan.campaigns import search, services
from tests.campaigns.test_campaigns import _campaign, _suggestion, world_client
from tests.conftest import MONDAY, _user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def filed(world):
    campaign = _campaign(world)
    found = _suggestion(
        world,
        campaign,
        title="增加公交夜班线路",
        body=f"联系电话{PHONE}。建议在晚高峰后增加公交夜班线路，方便夜间下班的市民。",
    )
    other = _suggestion(
        world, campaign, author=_user("u2"), title="增设社区养老食堂", body="方便老人吃饭"
    )
    private = _suggestion(
        world, campaign, author=_user("u3"), is_public=False, title="夜班公交的私下建议"
    )
    unscreened = _suggestion(
        world, campaign, author=_user("u4"), publish=False, title="夜班公交尚未审核"
    )
    rejected = _suggestion(world, campaign, author=_user("u5"), publish=False, title="夜班重复")
    services.screen_suggestion(
        suggestion_id=rejected.pk, actor=world.moderator, publish=False, reason="spam", now=MONDAY
    )
    return campaign, found, other, private, unscreened


def _ids(query, **where):
    hits, _more = search.search_suggestions(query, **where)
    return [hit.suggestion.pk for hit in hits]


def test_words_find_listed_suggestions_only(world, filed):
    campaign, found, other, _private, _unscreened = filed
    assert _ids("夜班", campaign_id=campaign.pk) == [found.pk]
    assert _ids("公交 夜班", campaign_id=campaign.pk) == [found.pk]  # every word (AND)
    assert _ids("夜班 养老", campaign_id=campaign.pk) == []
    assert _ids("養老食堂", campaign_id=campaign.pk) == [other.pk]  # traditional characters
    assert _ids(PHONE) == []  # masked before it was indexed
    assert _ids('" OR * NEAR(') == []  # nothing typed is an operator


def test_publishing_indexes_and_later_changes_follow(world, filed):
    campaign, found, _other, _private, unscreened = filed
    assert unscreened.pk not in _ids("审核")
    services.screen_suggestion(
        suggestion_id=unscreened.pk, actor=world.moderator, publish=True, now=MONDAY
    )
    assert _ids("审核") == [unscreened.pk]
    type(found).objects.filter(pk=found.pk).update(is_public=False)
    assert _ids("夜班", campaign_id=campaign.pk) == [unscreened.pk]


def test_search_across_campaigns_and_within_one(world, filed):
    found = filed[1]
    elsewhere = _campaign(world, title="交通专题征集")
    far = _suggestion(world, elsewhere, author=_user("u6"), title="夜班公交延长运营时间")
    assert set(_ids("夜班")) == {found.pk, far.pk}
    assert _ids("夜班", campaign_id=elsewhere.pk) == [far.pk]


def test_campaign_page_shows_masked_marked_results(world, filed):
    campaign, _found, _other, _private, _unscreened = filed
    page = world_client(world, None).get(
        reverse("campaigns:campaign", args=[campaign.pk]), {"q": "夜班"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>夜班</mark>" in html
    assert PHONE not in html
    assert "私下建议" not in html and "尚未审核" not in html
    assert "增设社区养老食堂" not in html  # not a match
    listing = world_client(world, None).get(reverse("campaigns:list"), {"q": "养老"}).content
    assert "<mark>养老</mark>".encode() in listing
    assert campaign.title.encode() in listing
