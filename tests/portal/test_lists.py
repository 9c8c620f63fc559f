"""Board lists are keyset paginated without COUNT; my messages say what happens next."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from liuyan.portal.wording import local_date, next_step
from tests.conftest import MONDAY


def test_board_list_pages_by_keyset_without_counting(
    client, world, make, django_assert_max_num_queries
):
    messages = [make.dispatched(at=MONDAY + timedelta(minutes=i)) for i in range(25)]
    url = reverse("portal:board", args=[world.board.pk])
    first = client.get(url)  # also computes and caches the board's figures
    page = first.context["page"]
    assert [m.pk for m in page.items] == [m.pk for m in reversed(messages)][:20]
    assert page.next_cursor
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
        second = client.get(url + f"?after={page.next_cursor}")
    assert [m.pk for m in second.context["page"].items] == [m.pk for m in reversed(messages)][20:]
    assert second.context["page"].next_cursor is None
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_keyset_handles_messages_sent_in_the_same_instant(client, world, make):
    same = [make.dispatched(at=MONDAY) for _ in range(22)]
    url = reverse("portal:board", args=[world.board.pk])
    first = client.get(url).context["page"]
    second = client.get(url + f"?after={first.next_cursor}").context["page"]
    seen = [m.pk for m in first.items + second.items]
    assert sorted(seen) == sorted(m.pk for m in same) and len(set(seen)) == 22


def test_htmx_more_returns_only_the_next_items(client, world, make):
    for i in range(21):
        make.dispatched(at=MONDAY + timedelta(minutes=i))
    url = reverse("portal:board", args=[world.board.pk])
    cursor = client.get(url).context["page"].next_cursor
    response = client.get(url + f"?after={cursor}", headers={"HX-Request": "true"})
    assert "<html" not in response.text and response.text.count('class="message-item"') == 1


def test_board_filters_by_status(client, world, make):
    answered = make.replied()
    waiting = make.dispatched()
    url = reverse("portal:board", args=[world.board.pk])
    items = client.get(url + "?status=answered").context["page"].items
    assert answered in items and waiting not in items
    items = client.get(url + "?status=handling").context["page"].items
    assert waiting in items and answered not in items


def test_my_messages_say_what_happens_next_with_the_date(client, world, make):
    make.base = timezone.now() - timedelta(days=3)  # the rating window is still open
    dispatched = make.dispatched(public=False)
    replied = make.replied()
    waiting = make.submitted()
    make.dispatched(author=world.other_citizen, title="别人的留言标题内容")
    client.force_login(world.citizen)
    response = client.get(reverse("portal:my_messages"))
    items = {m.pk: m for m in response.context["page"].items}
    assert set(items) == {dispatched.pk, replied.pk, waiting.pk}
    accept_by = dispatched.assignments.get().accept_by
    assert local_date(accept_by) in items[dispatched.pk].next_step.text
    assert items[replied.pk].next_step.can_rate
    assert local_date(replied.rate_by) in items[replied.pk].next_step.text
    assert local_date(waiting.screen_by) in items[waiting.pk].next_step.text


def test_next_step_words(world, make):
    message = make.accepted()
    message.active_leads = [message.assignments.get()]
    with translation.override("en"):
        text = next_step(message).text
    assert text.startswith("Being handled, reply due by ")
