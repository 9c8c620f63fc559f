"""Suggestion campaigns: filing, screening, supports and their threshold, themes, decisions,
and who may see what."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from liuyan.campaigns import services
from liuyan.campaigns.models import Campaign, Decision, Suggestion, Support
from liuyan.notifications.models import Notification
from tests.conftest import MONDAY, _user

pytestmark = pytest.mark.django_db


def _campaign(world, **extra) -> Campaign:
    fields = {
        "title": "我为城市发展建言献策",
        "description": "征集关于城市交通与公共服务的建议。",
        "organiser_board": world.board,
        "starts_at": MONDAY - timedelta(days=7),
        "ends_at": MONDAY + timedelta(days=30),
        "support_threshold": 2,
        "response_days": 5,
    }
    fields.update(extra)
    return services.save_campaign(
        campaign=Campaign(**fields), topics=[], actor=world.moderator, now=MONDAY
    )


def _suggestion(world, campaign, *, author=None, publish=True, is_public=True, **text):
    suggestion = services.submit_suggestion(
        campaign=campaign,
        author=author or world.citizen,
        title=text.get("title", "增加公交夜班线路"),
        body=text.get("body", "建议在晚高峰后增加公交夜班线路，方便夜间下班的市民。"),
        topic=None,
        is_public=is_public,
        now=MONDAY,
    )
    if publish:
        suggestion = services.screen_suggestion(
            suggestion_id=suggestion.pk, actor=world.moderator, publish=True, now=MONDAY
        )
    return suggestion


def test_campaign_status_follows_its_dates(world):
    campaign = _campaign(world)
    assert campaign.status_at(MONDAY) == Campaign.Status.RUNNING
    assert campaign.status_at(MONDAY - timedelta(days=8)) == Campaign.Status.UPCOMING
    assert campaign.status_at(MONDAY + timedelta(days=31)) == Campaign.Status.CLOSED


def test_campaign_needs_one_organiser(world):
    with pytest.raises(ValidationError):
        _campaign(world, organiser_region=world.city)


def test_no_suggestion_outside_the_running_period(world):
    campaign = _campaign(world, ends_at=MONDAY - timedelta(days=1))
    with pytest.raises(ValidationError):
        _suggestion(world, campaign, publish=False)


def test_screening_masks_personal_data_in_the_public_text(world):
    campaign = _campaign(world)
    suggestion = _suggestion(
        world, campaign, body="我的电话13912345678，建议在社区增设充电桩，方便电动车停放。"
    )
    assert "13912345678" not in suggestion.public_body
    assert "13912345678" in suggestion.body
    page = world_client(world, None).get(reverse("campaigns:suggestion", args=[suggestion.pk]))
    assert page.status_code == 200
    assert "13912345678" not in page.content.decode()


def test_rejection_takes_a_message_reason(world):
    campaign = _campaign(world)
    suggestion = _suggestion(world, campaign, publish=False)
    with pytest.raises(ValidationError):
        services.screen_suggestion(
            suggestion_id=suggestion.pk,
            actor=world.moderator,
            publish=False,
            reason="bogus",
            now=MONDAY,
        )
    rejected = services.screen_suggestion(
        suggestion_id=suggestion.pk,
        actor=world.moderator,
        publish=False,
        reason="spam",
        now=MONDAY,
    )
    assert rejected.status == Suggestion.Status.REJECTED
    assert rejected.get_reject_reason_display()


def world_client(world, user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_private_suggestion_only_for_author_moderators_and_organiser(world):
    campaign = _campaign(world)
    suggestion = _suggestion(world, campaign, is_public=False)
    url = reverse("campaigns:suggestion", args=[suggestion.pk])
    for user in (world.citizen, world.moderator, world.leader, world.handler):
        assert world_client(world, user).get(url).status_code == 200, user
    for user in (None, world.other_citizen, world.other_leader, world.other_handler):
        assert world_client(world, user).get(url).status_code == 404, user
    listing = world_client(world, None).get(reverse("campaigns:campaign", args=[campaign.pk]))
    assert suggestion.title not in listing.content.decode()


def test_unscreened_suggestion_is_not_public(world):
    campaign = _campaign(world)
    suggestion = _suggestion(world, campaign, publish=False)
    url = reverse("campaigns:suggestion", args=[suggestion.pk])
    assert world_client(world, world.other_citizen).get(url).status_code == 404
    assert world_client(world, world.citizen).get(url).status_code == 200


def test_one_support_per_citizen(world):
    campaign = _campaign(world, support_threshold=10)
    suggestion = _suggestion(world, campaign)
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    with pytest.raises(ValidationError):
        services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(
            suggestion=suggestion, user=world.other_citizen, created_at=MONDAY, changed_at=MONDAY
        )
    suggestion.refresh_from_db()
    assert suggestion.support_count == 1
    services.withdraw_support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    suggestion.refresh_from_db()
    assert suggestion.support_count == 0
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    suggestion.refresh_from_db()
    assert suggestion.support_count == 1
    assert Support.objects.filter(suggestion=suggestion).count() == 1


def test_author_cannot_support_own_suggestion(world):
    campaign = _campaign(world)
    suggestion = _suggestion(world, campaign)
    with pytest.raises(ValidationError):
        services.support(suggestion_id=suggestion.pk, user=world.citizen, now=MONDAY)


def test_supports_are_rate_limited(world, monkeypatch):
    monkeypatch.setattr(services, "SUPPORT_CHANGES_PER_HOUR", 3)
    campaign = _campaign(world, support_threshold=100)
    suggestions = [
        _suggestion(world, campaign, title=f"建议{i}", body=f"关于第{i}条道路的建议")
        for i in range(4)
    ]
    for suggestion in suggestions[:3]:
        services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    with pytest.raises(ValidationError):
        services.support(suggestion_id=suggestions[3].pk, user=world.other_citizen, now=MONDAY)
    later = MONDAY + timedelta(hours=1, minutes=1)
    services.support(suggestion_id=suggestions[3].pk, user=world.other_citizen, now=later)


def test_threshold_sets_a_working_day_response_deadline(world):
    campaign = _campaign(world, support_threshold=2, response_days=5)
    suggestion = _suggestion(world, campaign)
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    suggestion.refresh_from_db()
    assert suggestion.threshold_reached_at is None
    third = _user("citizen3", phone="13800000003")
    friday = MONDAY + timedelta(days=4)  # Friday 2026-03-06
    services.support(suggestion_id=suggestion.pk, user=third, now=friday)
    suggestion.refresh_from_db()
    assert suggestion.threshold_reached_at == friday
    told = set(
        Notification.objects.filter(kind=Notification.Kind.CAMPAIGN).values_list(
            "recipient_id", flat=True
        )
    )  # the organiser: the board's leader and the staff of its default unit, no one else
    assert told == {world.leader.pk, world.handler.pk, world.head.pk}
    # Five working days after a Friday: the next Friday (weekends do not count).
    due = suggestion.response_due_at.astimezone(UTC)
    assert due.date() == datetime(2026, 3, 13).date()
    # Withdrawing afterwards does not lift the organiser's duty.
    services.withdraw_support(suggestion_id=suggestion.pk, user=third, now=friday)
    suggestion.refresh_from_db()
    assert suggestion.response_due_at is not None
    page = world_client(world, None).get(reverse("campaigns:suggestion", args=[suggestion.pk]))
    assert "countdown" in page.content.decode()


def test_themes_group_similar_suggestions_and_can_be_reshaped(world):
    campaign = _campaign(world)
    texts = [
        ("增加公交夜班线路", "建议增加公交夜班线路，方便夜间出行"),
        ("开通公交夜班线路", "希望开通更多公交夜班线路，夜间出行难"),
        ("公交夜班线路太少", "公交夜班线路太少，建议增加夜班公交"),
        ("增设社区养老食堂", "建议在社区增设养老食堂，方便老人吃饭"),
        ("社区养老食堂建设", "希望每个社区都建设养老食堂，老人吃饭难"),
    ]
    for title, body in texts:
        _suggestion(world, campaign, author=_user(f"u-{title}"), title=title, body=body)
    made = services.group_into_themes(campaign=campaign, now=MONDAY)
    themes = {
        t.name: set(t.suggestions.values_list("title", flat=True)) for t in campaign.themes.all()
    }
    assert made == len(themes)
    bus = next(members for members in themes.values() if "增加公交夜班线路" in members)
    assert {"开通公交夜班线路", "公交夜班线路太少"} <= bus
    assert "增设社区养老食堂" not in bus
    # Grouping again leaves the themes alone.
    assert services.group_into_themes(campaign=campaign, now=MONDAY) == 0
    ids = list(campaign.themes.values_list("pk", flat=True))
    merged = services.merge_themes(campaign=campaign, theme_ids=ids)
    assert campaign.themes.count() == 1
    assert merged.suggestions.count() == 5
    renamed = services.rename_theme(campaign=campaign, theme_id=merged.pk, name="出行与养老")
    assert renamed.renamed
    moved = list(merged.suggestions.filter(title__contains="养老").values_list("pk", flat=True))
    new = services.split_theme(
        campaign=campaign, theme_id=merged.pk, suggestion_ids=moved, name="", now=MONDAY
    )
    assert new.suggestions.count() == 2
    assert merged.suggestions.count() == 3


def test_unit_decision_notifies_proposer_and_supporters(world, django_capture_on_commit_callbacks):
    campaign = _campaign(world, support_threshold=100)
    suggestion = _suggestion(world, campaign)
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    services.send_to_unit(
        campaign=campaign,
        suggestion_ids=[suggestion.pk],
        unit=world.bureau,
        actor=world.leader,
        now=MONDAY,
    )
    decision = Decision.objects.get(suggestion=suggestion)
    client = world_client(world, world.other_handler)
    response = client.post(reverse("campaigns:decide", args=[suggestion.pk]), {})
    assert response.status_code == 403
    client = world_client(world, world.handler)
    with pytest.raises(ValidationError):  # adopted, but nothing said about what changed
        services.record_decision(
            decision_id=decision.pk,
            actor=world.handler,
            outcome="adopted",
            reason="可行",
            now=MONDAY,
        )
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("campaigns:decide", args=[suggestion.pk]),
            {
                "outcome": "adopted",
                "reason": "建议合理可行。",
                "change": "新开通夜班公交N1、N2线。",
                "change_link": "https://example.gov.cn/notice/1",
            },
        )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.is_adopted
    told = set(
        Notification.objects.filter(kind=Notification.Kind.CAMPAIGN).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {world.citizen.pk, world.other_citizen.pk}
    page = world_client(world, None).get(reverse("campaigns:campaign", args=[campaign.pk]))
    assert "增加公交夜班线路" in page.content.decode()
    assert (
        "N1"
        in world_client(world, None)
        .get(reverse("campaigns:suggestion", args=[suggestion.pk]))
        .content.decode()
    )


def test_only_moderators_create_and_screen(world):
    campaign = _campaign(world)
    for user in (world.citizen, world.handler, world.leader):
        client = world_client(world, user)
        assert client.get(reverse("campaigns:create")).status_code == 403
        assert client.get(reverse("campaigns:screen", args=[campaign.pk])).status_code == 403
    client = world_client(world, world.moderator)
    assert client.get(reverse("campaigns:create")).status_code == 200
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "养老服务建议征集",
            "description": "说明",
            "organiser_region": world.city.pk,
            "starts_at": "2026-03-01T09:00",
            "ends_at": "2026-04-01T09:00",
            "support_threshold": 50,
            "response_days": 10,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.filter(title="养老服务建议征集").exists()


def test_citizen_files_through_the_page_and_the_list_links_it(world):
    now = datetime.now(UTC)
    campaign = _campaign(world, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9))
    client = world_client(world, world.citizen)
    response = client.post(
        reverse("campaigns:suggest", args=[campaign.pk]),
        {"title": "小区加装电梯", "body": "建议简化老旧小区加装电梯审批。", "is_public": "on"},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(title="小区加装电梯")
    assert suggestion.author == world.citizen and suggestion.is_public
    empty = client.post(reverse("campaigns:suggest", args=[campaign.pk]), {"title": ""})
    assert empty.status_code == 400
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert reverse("campaigns:list") in client.get("/").content.decode()
    screen = world_client(world, world.moderator).post(
        reverse("campaigns:screen", args=[campaign.pk]),
        {"suggestion": suggestion.pk, "verdict": "publish"},
    )
    assert screen.status_code == 302
    link = reverse("campaigns:suggestion", args=[suggestion.pk])
    page = client.get(reverse("campaigns:campaign", args=[campaign.pk]) + "?q=电梯")
    assert link in page.content.decode()  # the title is shown with the match marked
    page = client.get(reverse("campaigns:campaign", args=[campaign.pk]) + "?q=公园")
    assert link not in page.content.decode()


def test_closed_campaign_report_lists_adopted_suggestions_in_html_and_pdf(world):
    now = datetime.now(UTC)
    campaign = _campaign(world)  # runs around MONDAY
    adopted = _suggestion(world, campaign, title="开通夜班公交")
    other = _suggestion(world, campaign, author=world.other_citizen, title="增设街心公园")
    services.send_to_unit(
        campaign=campaign,
        suggestion_ids=[adopted.pk, other.pk],
        unit=world.bureau,
        actor=world.leader,
        now=MONDAY,
    )
    for suggestion, outcome, change in ((adopted, "adopted", "开通N1线"), (other, "reference", "")):
        services.record_decision(
            decision_id=suggestion.decision.pk,
            actor=world.handler,
            outcome=outcome,
            reason="研究后答复",
            change=change,
            now=MONDAY,
        )
    url = reverse("campaigns:report", args=[campaign.pk])
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=now + timedelta(days=1))
    assert world_client(world, None).get(url).status_code == 404  # still running
    assert world_client(world, world.leader).get(url).status_code == 200  # the organiser's preview
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=now - timedelta(days=1))
    page = world_client(world, None).get(url).content.decode()
    adopted_part = page.split('class="adopted-suggestion"', 1)[1]
    assert "开通夜班公交" in adopted_part and "开通N1线" in adopted_part
    assert "增设街心公园" not in adopted_part
    assert "<svg" in page
    pdf = world_client(world, None).get(reverse("campaigns:report_pdf", args=[campaign.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_organiser_responds_publicly_and_others_may_not(world):
    campaign = _campaign(world, support_threshold=1)
    suggestion = _suggestion(world, campaign)
    services.support(suggestion_id=suggestion.pk, user=world.other_citizen, now=MONDAY)
    url = reverse("campaigns:respond", args=[suggestion.pk])
    themes = reverse("campaigns:themes", args=[campaign.pk])
    for user in (world.other_leader, world.other_handler, world.citizen):
        client = world_client(world, user)
        assert client.post(url, {"text": "不该出现"}).status_code == 403
        assert client.get(themes).status_code == 403
    client = world_client(world, world.leader)
    assert client.get(themes).status_code == 200
    assert client.post(url, {"text": "已研究，将于下月试点。"}).status_code == 302
    page = world_client(world, None).get(reverse("campaigns:suggestion", args=[suggestion.pk]))
    assert "已研究，将于下月试点。" in page.content.decode()
    assert "不该出现" not in page.content.decode()


def test_campaign_image_must_really_be_an_image(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liuyan.campaigns.forms import CampaignForm

    data = {
        "title": "图片测试",
        "description": "说明",
        "organiser_board": world.board.pk,
        "starts_at": "2026-03-01T09:00",
        "ends_at": "2026-04-01T09:00",
        "support_threshold": 5,
        "response_days": 5,
    }
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    assert "image" in CampaignForm(data, {"image": fake}).errors
    header_only = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    broken = SimpleUploadedFile("x.png", header_only, content_type="image/png")
    assert "image" in CampaignForm(data, {"image": broken}).errors
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    png = SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png")
    assert CampaignForm(data, {"image": png}).is_valid()


def test_api_lists_campaigns_and_only_public_masked_suggestions(world):
    campaign = _campaign(world)
    public = _suggestion(world, campaign, body="电话13912345678，建议增加夜班公交。")
    _suggestion(world, campaign, author=world.other_citizen, title="私密建议", is_public=False)
    _suggestion(world, campaign, title="待审建议", publish=False)
    client = world_client(world, None)
    listing = client.get("/api/v1/campaigns/").json()
    assert [c["title"] for c in listing["results"]] == [campaign.title]
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").json()["region"] == world.city.code
    rows = client.get(f"/api/v1/campaigns/{campaign.pk}/suggestions/").json()["results"]
    assert [row["id"] for row in rows] == [public.pk]
    assert "13912345678" not in rows[0]["text"]
    assert client.get("/api/v1/campaigns/999999/suggestions/").status_code == 404


def test_organiser_sends_chosen_suggestions_or_a_whole_theme(world):
    campaign = _campaign(world)
    first = _suggestion(world, campaign, title="增加公交夜班线路")
    second = _suggestion(world, campaign, author=world.other_citizen, title="开通公交夜班线路")
    theme = campaign.themes.create(name="夜班公交", created_at=MONDAY)
    Suggestion.objects.filter(pk__in=[first.pk, second.pk]).update(theme=theme)
    client = world_client(world, world.leader)
    url = reverse("campaigns:themes", args=[campaign.pk]) + f"?theme={theme.pk}"
    page = client.get(url).content.decode()
    assert "增加公交夜班线路" in page and "开通公交夜班线路" in page
    sent = {"theme": theme.pk, "suggestion": [first.pk], "unit": world.bureau.pk}
    assert client.post(url, {**sent, "action": "send"}).status_code == 302
    assert set(Decision.objects.values_list("suggestion_id", flat=True)) == {first.pk}
    assert client.post(url, {**sent, "action": "send_theme"}).status_code == 302
    assert set(Decision.objects.values_list("suggestion_id", flat=True)) == {first.pk, second.pk}


def test_campaign_image_is_uploaded_and_served(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    client = world_client(world, world.moderator)
    response = client.post(
        reverse("campaigns:create"),
        {
            "title": "带图片的征集",
            "description": "说明",
            "organiser_board": world.board.pk,
            "starts_at": "2026-03-01T09:00",
            "ends_at": "2026-04-01T09:00",
            "support_threshold": 5,
            "response_days": 5,
            "image": SimpleUploadedFile("poster.png", buffer.getvalue(), "image/png"),
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="带图片的征集")
    image = world_client(world, None).get(reverse("campaigns:image", args=[campaign.pk]))
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == buffer.getvalue()


def test_suggestion_images_lose_their_metadata_and_follow_the_suggestions_access(
    world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    now = datetime.now(UTC)
    campaign = _campaign(world, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: any EXIF tag would do
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, "JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    client = world_client(world, world.citizen)
    response = client.post(
        reverse("campaigns:suggest", args=[campaign.pk]),
        {
            "title": "路口加装红绿灯",
            "body": "建议在学校门口路口加装红绿灯。",
            "images": [
                SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), "image/jpeg"),
            ],
        },  # not public
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(title="路口加装红绿灯")
    assert not suggestion.is_public
    image = suggestion.images.get()
    url = reverse("campaigns:suggestion_image", args=[suggestion.pk, image.token])
    served = client.get(url)
    assert served.status_code == 200
    data = b"".join(served.streaming_content)
    assert data.startswith(b"\xff\xd8") and b"PhoneMaker" not in data
    assert world_client(world, world.other_citizen).get(url).status_code == 404
    assert world_client(world, None).get(url).status_code == 404
    bogus = client.post(
        reverse("campaigns:suggest", args=[campaign.pk]),
        {
            "title": "假图片",
            "body": "正文",
            "images": [SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")],
        },
    )
    assert bogus.status_code == 400
    assert not Suggestion.objects.filter(title="假图片").exists()
