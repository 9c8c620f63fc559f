"""Hot issues on the platform: the daily run, the public page, the staff page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from liuyan.board import services
from liuyan.reports import tasks
from liuyan.reports.models import HotIssue, HotIssueRun
from liuyan.reports.services import refresh_hot_issues

pytestmark = pytest.mark.django_db

PROPERTY = (
    "丽景小区物业乱收停车费",
    "A市A1区丽景小区物业公司乱收停车费，每月多收两百元，业主意见很大。",
)
SCHOOL = (
    "明德中学食堂饭菜变质",
    "明德中学食堂饭菜经常变质发臭，孩子吃了拉肚子，请教育局调查处理。",
)


@pytest.fixture
def authors(django_user_model):
    return [django_user_model.objects.create_user(username=f"writer{n}") for n in range(4)]


def _written(world, author, text, *, public=True, n=0):
    title, body = text
    message = services.submit_message(
        author=author,
        board=world.board,
        type="complaint",
        title=f"{title}{'！' * n}",
        body=body,
        is_public=public,
    )
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    return message


@pytest.fixture
def issues(world, authors):
    """Three public messages about the property fee, one private one on the same problem, and
    a school problem written only in private messages."""
    public = [_written(world, a, PROPERTY, n=i) for i, a in enumerate(authors[:3])]
    private_same = _written(world, authors[3], PROPERTY, public=False, n=3)
    private_school = [_written(world, a, SCHOOL, public=False, n=i) for i, a in enumerate(authors)]
    refresh_hot_issues(now=timezone.now())
    return public, private_same, private_school


def test_staff_view_counts_private_messages_and_public_view_does_not(issues):
    public, private_same, private_school = issues
    staff = {issue.title[:4]: issue for issue in HotIssue.objects.filter(is_public_view=False)}
    assert staff["丽景小区"].message_count == 4
    assert staff["明德中学"].message_count == 4
    assert set(staff["丽景小区"].messages.all()) == {*public, private_same}
    assert set(staff["明德中学"].messages.all()) == set(private_school)

    shown = list(HotIssue.objects.filter(is_public_view=True))
    assert len(shown) == 1
    assert shown[0].message_count == 3 and shown[0].author_count == 3
    assert set(shown[0].messages.all()) == set(public)


def test_public_page_never_shows_or_counts_a_private_message(issues, client):
    public, private_same, _ = issues
    page = client.get(reverse("reports:hot_public"))
    assert page.status_code == 200
    assert "明德中学" not in page.text
    assert private_same.serial not in page.text
    assert all(m.serial in page.text for m in public)
    assert "3 条留言" in page.text or "3 messages" in page.text


def test_home_strip_links_the_top_public_issues_to_the_public_page(issues, client):
    page = client.get(reverse("portal:home"))
    assert [issue.title for issue in page.context["hot_issues"]] == [
        HotIssue.objects.get(is_public_view=True).title
    ]
    assert reverse("reports:hot_public") + "#issue-1" in page.text
    assert "明德中学" not in page.text


def test_moderator_sees_every_issue_with_its_text(issues, world, client):
    client.force_login(world.moderator)
    page = client.get(reverse("reports:hot"))
    assert page.status_code == 200
    assert "明德中学食堂饭菜变质" in page.text and "丽景小区" in page.text


def test_staff_page_explains_the_heat_index_in_chinese(issues, world, client):
    client.force_login(world.moderator)
    with translation.override("zh-hans"):
        page = client.get(reverse("reports:hot"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "热度指数如何计算" in page.text
    assert "热度 = 留言数 × (1 + 广度 + 支持度 + 集中度 + 新近度)" in page.text
    assert "热度相同时" in page.text


def test_leader_of_another_board_sees_private_issues_counted_but_not_their_text(
    issues, world, client
):
    public, private_same, _ = issues
    client.force_login(world.other_leader)
    page = client.get(reverse("reports:hot"))
    assert page.status_code == 200
    school = next(
        row for row in page.context["issues"] if row.issue.message_count == 4 and not row.messages
    )
    assert school.title is None and school.place == ""
    assert "明德中学" not in page.text
    assert private_same.serial not in page.text
    assert public[0].serial in page.text  # the public part of the property issue is readable


def test_citizens_may_not_open_the_staff_page(world, client):
    assert client.get(reverse("reports:hot")).status_code == 302
    client.force_login(world.citizen)
    assert client.get(reverse("reports:hot")).status_code == 403
    client.force_login(world.handler)  # unit staff: not a moderator or leader
    assert client.get(reverse("reports:hot")).status_code == 403


def test_a_new_run_replaces_the_previous_rows(issues):
    first = set(HotIssue.objects.values_list("pk", flat=True))
    refresh_hot_issues(now=timezone.now())
    second = set(HotIssue.objects.values_list("pk", flat=True))
    assert len(second) == len(first) and not first & second


MUD_ROAD = "石桥村村道还是泥巴路", "石桥村村道还是泥巴路，下雨天孩子上学没法走，希望尽快硬化。"


def _about_the_mud_road(author, board, n, region=None):
    title, body = MUD_ROAD
    return services.submit_message(
        author=author,
        board=board,
        type="complaint",
        title=f"{title}{'！' * n}",
        body=body,
        region=region,
    )


def test_one_problem_filed_in_two_cities_is_two_issues(world, authors):
    # The texts name no region the clustering could compare; the filing region tells them apart.
    in_city = [
        _about_the_mud_road(a, world.board, n, region=world.county)
        for n, a in enumerate(authors[:2])
    ]
    in_other_city = [
        _about_the_mud_road(a, world.other_board, n) for n, a in enumerate(authors[2:])
    ]
    refresh_hot_issues(now=timezone.now())
    groups = {
        frozenset(issue.messages.values_list("pk", flat=True))
        for issue in HotIssue.objects.filter(is_public_view=False)
    }
    assert groups == {
        frozenset(m.pk for m in in_city),
        frozenset(m.pk for m in in_other_city),
    }


def test_hot_issues_command_computes_them_now_without_a_worker(world, authors):
    for n, author in enumerate(authors[:3]):
        _written(world, author, PROPERTY, n=n)
    out = StringIO()
    with translation.override("en"):
        call_command("hot-issues", stdout=out)
    run = HotIssueRun.objects.get()
    assert run.day is None and run.finished_at is not None  # by hand, not the daily run
    [issue] = HotIssue.objects.filter(run=run, is_public_view=True)
    assert issue.message_count == 3
    assert out.getvalue().strip() == (
        "Hot issues of the last 30 days: 1 for staff from 3 messages, 1 public from 3 public "
        "messages."
    )


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@override_settings(TASKS=IMMEDIATE)
def test_daily_run_is_queued_once_a_day(issues, django_capture_on_commit_callbacks):
    HotIssue.objects.all().delete()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_daily_hot_issues(now=now) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_daily_hot_issues(now=now) is False
    run = HotIssueRun.objects.get(day__isnull=False)
    assert run.finished_at is not None and run.staff_messages == 8
    assert HotIssue.objects.filter(run=run, is_public_view=True).count() == 1


def test_a_message_made_private_after_the_run_leaves_the_public_page_and_home_strip(issues, client):
    """Issues are computed daily; a message hidden since then must not keep naming or
    counting towards an issue the public sees."""
    public, _, _ = issues
    issue = HotIssue.objects.get(is_public_view=True)
    named_after = issue.title_message
    assert named_after in public and issue.title == named_after.public_title
    named_after.is_public = False
    named_after.save(update_fields=["is_public"])
    remaining = {m.public_title for m in public if m != named_after}

    page = client.get(reverse("reports:hot_public"))
    [(shown, messages)] = page.context["issues"]
    assert shown.title in remaining and f"<h2>{issue.title}</h2>" not in page.text
    assert named_after not in messages and named_after.serial not in page.text
    assert shown.message_count == 2 and shown.author_count == 2
    home = client.get(reverse("portal:home"))
    assert [i.title for i in home.context["hot_issues"]] == [shown.title]

    for message in public:
        message.is_public = False
        message.save(update_fields=["is_public"])
    assert "丽景小区" not in client.get(reverse("reports:hot_public")).text
    home = client.get(reverse("portal:home"))
    assert home.context["hot_issues"] == [] and "丽景小区" not in home.text


def test_the_daily_run_reads_its_window_once_for_both_views(world, authors):
    """One read of the window's messages serves the staff view and the public view (the public
    one clusters the public subset): twice the reading and twice the texts in memory otherwise."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i, author in enumerate(authors[:3]):
        _written(world, author, PROPERTY, n=i)
    _written(world, authors[3], SCHOOL, public=False)
    with CaptureQueriesContext(connection) as queries:
        run = refresh_hot_issues(now=timezone.now())
    reads = [
        q["sql"]
        for q in queries.captured_queries
        # PostgreSQL streams it through a server-side cursor: DECLARE … CURSOR FOR SELECT …
        if "SELECT" in q["sql"].upper() and '"board_message"."submitted_at" >=' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert (run.staff_messages, run.public_messages) == (4, 3)
    assert HotIssue.objects.filter(is_public_view=True).count() == 1


def test_staff_page_loads_only_the_messages_it_shows(issues, world, monkeypatch):
    """The staff page lists the first few readable messages of each issue; the members of an
    issue grow with the platform (issue #13), so the others are never loaded as rows."""
    from liuyan.board.models import Message
    from liuyan.reports import selectors

    monkeypatch.setattr(selectors, "STAFF_MESSAGES_SHOWN", 2)
    loaded = []
    original = Message.from_db.__func__

    def counting(cls, db, field_names, values):
        loaded.append(values[field_names.index("id")] if "id" in field_names else None)
        return original(cls, db, field_names, values)

    monkeypatch.setattr(Message, "from_db", classmethod(counting))
    issues_ = list(HotIssue.objects.filter(is_public_view=False))
    rows = selectors.issues_for_reader(world.moderator, issues_)
    assert [len(row.messages) for row in rows] == [2, 2]
    assert len(loaded) == 4  # not the 8 members
    public, private_same, private_school = issues
    earliest = {m.pk for m in [*public, private_same]}, {m.pk for m in private_school}
    for row in rows:
        members = earliest[0] if row.issue.title.startswith("丽景") else earliest[1]
        assert {m.pk for m in row.messages} <= members
        assert all(m.serial and m.public_title for m in row.messages)
