"""Export of a campaign's suggestions (CSV, XLSX, JSON Lines) from the campaign page and from
`liuyan export --what suggestions`: what each side may take away, in chunks."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from liuyan.campaigns import export, services
from liuyan.campaigns.models import Suggestion
from tests.campaigns.test_campaigns import _campaign, _suggestion, world_client
from tests.conftest import MONDAY, _user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def filed(world):
    """A campaign with a public suggestion carrying a phone number, a private one, an
    unscreened one and a rejected one, and one sent to a unit that adopted it."""
    campaign = _campaign(world, support_threshold=100)
    public = _suggestion(
        world, campaign, title="增加公交夜班线路", body=f"我的电话{PHONE}，建议增加夜班公交。"
    )
    private = _suggestion(world, campaign, is_public=False, title="不公开的停车建议")
    unscreened = _suggestion(world, campaign, publish=False, title="尚未审核的绿化建议")
    rejected = _suggestion(world, campaign, publish=False, title="被拒绝的重复建议")
    services.screen_suggestion(
        suggestion_id=rejected.pk, actor=world.moderator, publish=False, reason="spam", now=MONDAY
    )
    adopted = _suggestion(world, campaign, author=world.other_citizen, title="增设社区养老食堂")
    services.send_to_unit(
        campaign=campaign,
        suggestion_ids=[adopted.pk],
        unit=world.other_unit,
        actor=world.leader,
        now=MONDAY,
    )
    services.record_decision(
        decision_id=adopted.decision.pk,
        actor=world.other_handler,
        outcome="adopted",
        reason="建议合理可行。",
        change="新建养老食堂三处。",
        now=MONDAY,
    )
    return campaign, {
        "public": public,
        "private": private,
        "unscreened": unscreened,
        "rejected": rejected,
        "adopted": adopted,
    }


def _download(client, campaign, **params) -> bytes:
    response = client.get(reverse("campaigns:export", args=[campaign.pk]), params)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_public_export_holds_only_listed_suggestions_masked(world, filed):
    campaign, _s = filed
    data = _download(world_client(world, None), campaign, format="csv")
    rows = _csv_rows(data)
    assert {row["建议标题"] for row in rows} == {"增加公交夜班线路", "增设社区养老食堂"}
    text = data.decode("utf-8-sig")
    assert PHONE not in text  # masked as on the page
    for hidden in ("不公开的停车建议", "尚未审核的绿化建议", "被拒绝的重复建议"):
        assert hidden not in text
    # No staff columns and nothing about the proposers.
    assert "审核状态" not in rows[0] and "主题" not in rows[0]
    for who in (world.citizen, world.other_citizen):
        assert who.username not in text
    adopted = next(row for row in rows if row["建议标题"] == "增设社区养老食堂")
    assert adopted["采纳情况"] and adopted["采纳成果"] == "新建养老食堂三处。"
    assert adopted["承办单位"] == world.other_unit.name


def test_citizen_who_filed_still_gets_the_public_export(world, filed):
    campaign, _s = filed
    text = _download(world_client(world, world.citizen), campaign, format="csv").decode()
    assert "不公开的停车建议" not in text and "尚未审核的绿化建议" not in text


def test_organiser_exports_every_suggestion_as_written_without_the_proposer(world, filed):
    campaign, s = filed
    rows = _csv_rows(_download(world_client(world, world.leader), campaign, format="csv"))
    assert {int(row["建议编号"]) for row in rows} == {x.pk for x in s.values()}
    by_id = {int(row["建议编号"]): row for row in rows}
    assert PHONE in by_id[s["public"].pk]["建议内容"]  # the organiser reads the original
    assert by_id[s["private"].pk]["公开"] == "False"
    assert by_id[s["rejected"].pk]["不予受理原因"]
    text = json.dumps(rows, ensure_ascii=False)
    for who in (world.citizen, world.other_citizen):
        assert who.username not in text
        assert who.phone_hash is None or who.phone_hash not in text


def test_organiser_filters_by_status_and_decision(world, filed):
    campaign, s = filed
    client = world_client(world, world.leader)
    submitted = _csv_rows(_download(client, campaign, format="csv", status="submitted"))
    assert [int(row["建议编号"]) for row in submitted] == [s["unscreened"].pk]
    adopted = _csv_rows(_download(client, campaign, format="csv", outcome="adopted"))
    assert [int(row["建议编号"]) for row in adopted] == [s["adopted"].pk]
    unsent = _csv_rows(_download(client, campaign, format="csv", outcome="unsent"))
    assert s["adopted"].pk not in {int(row["建议编号"]) for row in unsent}
    bad = client.get(reverse("campaigns:export", args=[campaign.pk]), {"format": "pdf"})
    assert bad.status_code == 404


def test_a_unit_exports_what_was_sent_to_it_masked(world, filed):
    campaign, s = filed
    rows = _csv_rows(_download(world_client(world, world.other_handler), campaign, format="csv"))
    assert [int(row["建议编号"]) for row in rows] == [s["adopted"].pk]
    assert "审核状态" in rows[0]


def test_xlsx_and_jsonl_carry_the_same_rows(world, filed):
    campaign, _s = filed
    client = world_client(world, None)
    book = load_workbook(io.BytesIO(_download(client, campaign, format="xlsx")), read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("建议编号", "征集活动", "建议标题")
    assert {row[2] for row in values[1:]} == {"增加公交夜班线路", "增设社区养老食堂"}
    lines = _download(client, campaign, format="jsonl").decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["title"] for r in records} == {"增加公交夜班线路", "增设社区养老食堂"}
    assert all(PHONE not in line for line in lines)
    assert "status" not in records[0]


def test_records_are_read_in_chunks(world, filed, django_assert_max_num_queries):
    s = filed[1]
    # 5 suggestions in chunks of 2: 3 chunks of one query each, and one that finds none.
    with django_assert_max_num_queries(4):
        found = [
            r["id"]
            for r in export.records(Suggestion.objects.all(), public=False, original=True, chunk=2)
        ]
    assert found == sorted(x.pk for x in s.values())


def test_command_exports_suggestions_of_a_campaign(world, filed, tmp_path):
    campaign, s = filed
    other = _campaign(world, title="另一次征集")
    _suggestion(world, other, author=_user("citizen-other"), title="另一次征集的建议")
    out = tmp_path / "s.csv"
    call_command(
        "export", "--what", "suggestions", "--campaign", str(campaign.pk), "--output", str(out)
    )
    rows = _csv_rows(out.read_bytes())
    assert {int(row["建议编号"]) for row in rows} == {x.pk for x in s.values()}
    call_command(
        "export",
        "--what",
        "suggestions",
        "--campaign",
        str(campaign.pk),
        "--public",
        "--format",
        "jsonl",
        "--output",
        str(out),
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["id"] for r in records} == {s["public"].pk, s["adopted"].pk}
    assert PHONE not in out.read_text()
