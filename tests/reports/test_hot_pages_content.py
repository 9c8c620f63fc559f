"""What the hot-issue pages and the home strip show, pinned with more members than they show,
and what they read to show it (issue #13: the members of an issue grow with the platform)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board import services
from liuyan.board.models import Message
from liuyan.reports import selectors
from liuyan.reports.models import HotIssue
from liuyan.reports.services import refresh_hot_issues

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
FEE = ("丽景小区物业乱收停车费", "A市A1区丽景小区物业公司乱收停车费，每月多收两百元，电话{phone}。")
FOOD = ("明德中学食堂饭菜变质", "明德中学食堂饭菜经常变质发臭，孩子吃了拉肚子，请教育局调查处理。")


@pytest.fixture
def writers(django_user_model):
    return [django_user_model.objects.create_user(username=f"hot-writer{n}") for n in range(5)]


def _write(world, author, text, *, n, public=True, likes=0):
    title, body = text
    message = services.submit_message(
        author=author,
        board=world.board,
        type="complaint",
        title=f"{title}{'！' * (n % 3)}",
        body=body.format(phone=PHONE),
        is_public=public,
    )
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    if likes:
        Message.objects.filter(pk=message.pk).update(likes=likes)
    message.refresh_from_db()
    return message


@pytest.fixture
def crowd(world, writers):
    """Eight public messages about the fee from four writers (two wrote twice), with likes,
    and two private ones on the same problem from a fifth; four private school messages."""
    fee = [
        _write(world, writers[i % 4], FEE, n=i, likes=[3, 0, 5, 1, 0, 2, 7, 4][i]) for i in range(8)
    ]
    fee_private = [_write(world, writers[4], FEE, n=8 + i, public=False) for i in range(2)]
    food = [_write(world, writers[i], FOOD, n=i, public=False) for i in range(4)]
    refresh_hot_issues(now=timezone.now())
    return fee, fee_private, food


def _newest(messages, n):
    return [m.serial for m in sorted(messages, key=lambda m: (m.submitted_at, m.pk))[::-1][:n]]


def _earliest(messages, n):
    return [m.serial for m in sorted(messages, key=lambda m: (m.submitted_at, m.pk))[:n]]


def test_public_page_counts_and_shows_the_five_newest_public_members(crowd, world, client):
    fee, fee_private, food = crowd
    page = client.get(reverse("reports:hot_public"))
    [(issue, shown)] = page.context["issues"]
    assert (issue.message_count, issue.author_count, issue.likes) == (8, 4, 22)
    assert [m.serial for m in shown] == _newest(fee, 5)
    assert [m.board.name for m in shown] == [world.board.name] * 5
    assert issue.title == HotIssue.objects.get(is_public_view=True).title
    assert issue.title.startswith("丽景小区物业乱收停车费")
    assert "8 条留言" in page.text or "8 messages" in page.text
    assert PHONE not in page.text  # personal data is masked in what the public reads
    assert all(m.serial not in page.text for m in [*fee_private, *food])
    assert all(m.serial not in page.text for m in fee[:3])  # only five are listed
    assert "明德中学" not in page.text


def test_public_page_recounts_and_renames_after_members_are_hidden(crowd, client):
    fee, _, _ = crowd
    issue = HotIssue.objects.get(is_public_view=True)
    hidden = [m for m in fee if m.pk == issue.title_message_id or m.pk == fee[-1].pk]
    Message.objects.filter(pk__in=[m.pk for m in hidden]).update(is_public=False)
    left = [m for m in fee if m not in hidden]

    page = client.get(reverse("reports:hot_public"))
    [(shown_issue, shown)] = page.context["issues"]
    expected_title = min(left, key=lambda m: (m.submitted_at, m.pk)).public_title
    assert shown_issue.title == expected_title
    assert shown_issue.message_count == len(left)
    assert shown_issue.author_count == len({m.author_id for m in left})
    assert shown_issue.likes == sum(m.likes for m in left)
    assert [m.serial for m in shown] == _newest(left, 5)
    home = client.get(reverse("portal:home"))
    assert [i.title for i in home.context["hot_issues"]] == [expected_title]
    assert reverse("reports:hot_public") + f"#issue-{issue.rank}" in home.text


def test_home_strip_names_the_public_issues_only(crowd, client):
    page = client.get(reverse("portal:home"))
    issue = HotIssue.objects.get(is_public_view=True)
    assert [(i.rank, i.title) for i in page.context["hot_issues"]] == [(issue.rank, issue.title)]
    assert "明德中学" not in page.text and PHONE not in page.text


def test_staff_page_shows_the_earliest_readable_members(crowd, world, client, monkeypatch):
    monkeypatch.setattr(selectors, "STAFF_MESSAGES_SHOWN", 3)
    fee, fee_private, food = crowd
    client.force_login(world.moderator)
    page = client.get(reverse("reports:hot"))
    rows = {row.issue.title[:4]: row for row in page.context["issues"]}
    assert rows["丽景小区"].issue.message_count == 10
    assert [m.serial for m in rows["丽景小区"].messages] == _earliest([*fee, *fee_private], 3)
    assert [m.serial for m in rows["明德中学"].messages] == _earliest(food, 3)
    assert PHONE not in page.text


def test_leader_of_another_board_reads_only_public_members(crowd, world, client, monkeypatch):
    monkeypatch.setattr(selectors, "STAFF_MESSAGES_SHOWN", 3)
    fee, fee_private, food = crowd
    staff_fee = HotIssue.objects.get(is_public_view=False, title__startswith="丽景")
    # Named after a private member: the leader, who may not read it, sees another name.
    staff_fee.title_message = fee_private[0]
    staff_fee.title = "不该看到的标题"
    staff_fee.save()
    client.force_login(world.other_leader)
    page = client.get(reverse("reports:hot"))
    rows = {row.issue.pk: row for row in page.context["issues"]}
    fee_row = rows[staff_fee.pk]
    assert [m.serial for m in fee_row.messages] == _earliest(fee, 3)
    assert fee_row.title == min(fee, key=lambda m: (m.submitted_at, m.pk)).public_title
    assert fee_row.issue.message_count == 10
    [food_row] = [row for pk, row in rows.items() if pk != staff_fee.pk]
    assert (food_row.title, food_row.place, food_row.messages) == (None, "", [])
    assert "不该看到的标题" not in page.text and "明德中学" not in page.text
    assert all(m.serial not in page.text for m in [*fee_private, *food])
