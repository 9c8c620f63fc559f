"""What the hot-issue pages and the home strip show, pinned with more members than they show,
and what they read to show it (issue #13: the members of an issue grow with the platform)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_public_page_counts_the_messages_without_an_author_as_one_writer(crowd, client):
    """A hotline caller or a letter has no account: such messages are one writer, as the daily
    run counts them."""
    fee, _, _ = crowd
    Message.objects.filter(pk__in=[fee[0].pk, fee[5].pk]).update(author=None)
    page = client.get(reverse("reports:hot_public"))
    [(issue, _)] = page.context["issues"]
    assert (issue.message_count, issue.author_count) == (8, 5)


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


def _reads(call):
    """The SQL `call` sends and the Message rows it builds."""
    loaded = []
    original = Message.from_db.__func__

    def counting(cls, db, field_names, values):
        loaded.append(field_names)
        return original(cls, db, field_names, values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Message, "from_db", classmethod(counting))
        with CaptureQueriesContext(connection) as queries:
            result = call()
    return result, [q["sql"] for q in queries.captured_queries], loaded


def test_public_issues_read_only_the_shown_rows_and_no_member_list(crowd):
    """Counts come from the database, not from loading every member; five rows are built per
    issue, without the message's body or search text."""
    result, sql, loaded = _reads(lambda: selectors.public_issues_with_messages(limit=20))
    assert len(result) == 1 and len(result[0][1]) == 5
    assert len(sql) <= 3
    assert len(loaded) == 5
    assert all("body" not in fields and "search_text" not in fields for fields in loaded)


def test_home_strip_reads_no_member_rows(crowd):
    result, sql, loaded = _reads(lambda: selectors.public_hot_issues(limit=5))
    assert len(result) == 1
    assert loaded == []
    assert len(sql) <= 2


def test_staff_issues_send_no_literal_list_of_members(crowd, world):
    """The members' ids stay in the database: a literal `IN (…)` of every member costs psycopg
    ~110 ms of binding at a million messages."""
    fee, fee_private, food = crowd
    issues = list(selectors.latest_issues(public=False))
    for user in (world.moderator, world.other_leader):
        _, sql, loaded = _reads(lambda user=user: selectors.issues_for_reader(user, issues))
        members = [str(m.pk) for m in [*fee, *fee_private, *food]]
        for statement in sql:
            named = sum(bool(re.search(rf"\b{pk}\b", statement)) for pk in members)
            assert named < 8, statement
        assert len(sql) <= 4
        assert len(loaded) <= 2 * selectors.STAFF_MESSAGES_SHOWN
