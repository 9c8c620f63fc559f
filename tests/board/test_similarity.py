"""The platform's similarity index: similar public messages, possible duplicates, campaigns."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.urls import reverse

from liuyan.board import services, similarity
from liuyan.board.access import moderated_messages, staff_scope
from liuyan.board.models import Message

pytestmark = pytest.mark.django_db

LAMP = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望有关部门尽快修复路灯。"
BUS = "我们村里的公交车一天只有两班，上学上班都很不方便，希望增加公交班次。"


@pytest.fixture(autouse=True)
def fresh_index():
    similarity.forget_index()
    yield
    similarity.forget_index()


def _submit(world, title, body=LAMP, *, board=None, author=None, public=True):
    return services.submit_message(
        author=author or world.citizen,
        board=board or world.board,
        type="complaint",
        title=title,
        body=body,
        is_public=public,
    )


def _public(world, title, body=LAMP, **kwargs):
    message = _submit(world, title, body, **kwargs)
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    return message


def test_similar_public_messages_never_include_a_private_or_unscreened_one(world):
    private = _public(world, "小区路灯坏了两个多月", public=False)
    unscreened = _submit(world, "小区路灯坏了两个多月")
    shown = _public(world, "小区门口路灯坏了")
    _public(world, "公交班次太少", BUS)

    found = similarity.similar_public_messages(
        board=world.board, title="小区路灯坏了两个多月", body=LAMP
    )

    assert found == [shown]
    assert private not in found and unscreened not in found


def test_similar_public_messages_stay_on_the_board(world):
    _public(world, "小区门口路灯坏了", board=world.other_board)
    here = _public(world, "小区路灯不亮")
    assert similarity.similar_public_messages(board=world.board, title="小区路灯坏了") == [here]


def test_a_message_that_turns_private_later_is_not_shown_from_a_stale_index(world):
    message = _public(world, "小区门口路灯坏了")
    assert similarity.similar_public_messages(board=world.board, title="路灯坏了") == [message]
    Message.objects.filter(pk=message.pk).update(is_public=False)  # the index is not rebuilt
    assert similarity.similar_public_messages(board=world.board, title="路灯坏了") == []


def test_new_messages_join_the_index_after_the_refresh_interval(world, monkeypatch):
    first = _public(world, "小区门口路灯坏了")
    assert (
        similarity.similar_public_messages(board=world.board, title="公交班次太少", body=BUS) == []
    )
    bus = _public(world, "公交班次太少", BUS)

    monkeypatch.setattr(similarity, "REFRESH_SECONDS", 3600)
    assert (
        similarity.similar_public_messages(board=world.board, title="公交班次太少", body=BUS) == []
    )
    monkeypatch.setattr(similarity, "REFRESH_SECONDS", 0)
    assert similarity.similar_public_messages(
        board=world.board, title="公交班次太少", body=BUS
    ) == [bus]
    assert similarity.similar_public_messages(board=world.board, title="路灯坏了") == [first]


def test_possible_duplicates_are_earlier_visible_messages_flagged_when_nearly_identical(world):
    original = _submit(world, "小区门口路灯坏了两个多月")
    unrelated = _submit(world, "公交班次太少", BUS)
    elsewhere = _submit(world, "小区门口路灯坏了两个多月", board=world.other_board)
    elsewhere.region = world.other_city
    elsewhere.save(update_fields=["region"])
    again = _submit(world, "小区门口路灯坏了两个多月")

    # The city moderator covers only the other city: the original is not theirs to see.
    city_scope = staff_scope(world.city_moderator)
    city_view = similarity.possible_duplicates(again, visible=moderated_messages(city_scope))
    assert [d.message for d in city_view] == [elsewhere]

    found = similarity.possible_duplicates(
        again, visible=moderated_messages(staff_scope(world.moderator))
    )
    assert found[0].message in (original, elsewhere) and found[0].near_duplicate
    assert {d.message for d in found if d.near_duplicate} == {original, elsewhere}
    assert unrelated not in [d.message for d in found]
    later = similarity.possible_duplicates(
        original, visible=moderated_messages(staff_scope(world.moderator))
    )
    assert again not in [d.message for d in later]  # only earlier messages can be originals


def test_campaign_flags_need_several_authors(world, django_user_model):
    authors = [django_user_model.objects.create_user(username=f"c{n}") for n in range(3)]
    copies = [_submit(world, "坚决反对在我们小区旁边建设垃圾站", LAMP, author=a) for a in authors]
    same_author = [_submit(world, "公交班次太少", BUS) for _ in range(3)]

    flags = similarity.campaign_flags([m.pk for m in copies + same_author])

    assert set(flags) == {m.pk for m in copies}
    assert flags[copies[0].pk] == similarity.CampaignFlag(messages=3, authors=3)


def test_screening_page_offers_one_click_mark_as_duplicate(world, client):
    original = _submit(world, "小区门口路灯坏了两个多月")
    again = _submit(world, "小区门口路灯坏了两个多月")
    client.force_login(world.moderator)

    page = client.get(reverse("desk:moderate_message", args=[again.pk]))
    assert [d.message for d in page.context["possible_duplicates"]] == [original]
    assert f'name="original_serial" value="{original.serial}"' in page.text

    client.post(reverse("desk:duplicate", args=[again.pk]), {"original_serial": original.serial})
    again.refresh_from_db()
    assert again.state == "duplicate" and again.duplicate_of == original


def test_screening_queue_flags_campaign_messages(world, client, django_user_model):
    authors = [django_user_model.objects.create_user(username=f"c{n}") for n in range(3)]
    for author in authors:
        _submit(world, "坚决反对在我们小区旁边建设垃圾站", LAMP, author=author)
    client.force_login(world.moderator)
    page = client.get(reverse("desk:screening"))
    assert page.text.count('class="campaign-flag"') == 3


def test_similar_messages_never_match_on_personal_data_the_public_cannot_read(world):
    """The public sees only masked text, so the hidden digits of a phone or ID number cannot
    be probed through "similar messages": typing them into the form finds nothing."""
    phone, id_number = "13907315566", "430104198705123455"
    masked = _public(world, "小区路灯坏了", f"我的电话{phone}，身份证{id_number}。{LAMP}")
    assert "139****5566" in masked.public_body and id_number not in masked.public_body

    for hidden in ("电话0731", "身份证0104198705123"):
        assert similarity.similar_public_messages(board=world.board, title=hidden) == []
    assert similarity.similar_public_messages(board=world.board, title="小区路灯坏了") == [masked]


# --- the stored index: no request builds it ------------------------------------------------


@pytest.fixture
def stored_index(settings, tmp_path, monkeypatch):
    """This process reads the stored index from a folder of the test's own."""
    settings.LIUYAN_MODELS_DIR = tmp_path
    monkeypatch.setattr(similarity, "USE_SNAPSHOT", True)
    return tmp_path / similarity.SNAPSHOT_NAME


def test_a_web_process_answers_from_the_stored_index_and_adds_only_newer_messages(
    world, stored_index, monkeypatch
):
    stored = _public(world, "小区门口路灯坏了")
    result = similarity.store_index()
    assert stored_index.exists() and result.messages == 1 and result.rebuilt
    similarity.forget_index()  # a new process
    # The process may add the messages that arrived since the file was written, no older ones:
    # had it built the index itself, the stored message would be missing here.
    monkeypatch.setattr(similarity, "TOPUP_MAX", 1)
    newer = _public(world, "小区门口路灯坏了很久")
    found = similarity.similar_public_messages(board=world.board, title="路灯坏了")
    assert set(found) == {stored, newer}
    again = similarity.store_index()
    assert (again.rebuilt, again.added, again.messages) == (False, 1, 2)


@pytest.mark.django_db(transaction=True)  # the loading thread reads with its own connection
def test_the_first_request_does_not_wait_for_the_index(world, stored_index, monkeypatch):
    """In the background (production), the first question answers at once without
    suggestions; the loaded index answers the next ones."""
    _public(world, "小区门口路灯坏了")
    similarity.store_index()
    similarity.forget_index()
    monkeypatch.setattr(similarity, "REFRESH_IN_BACKGROUND", True)
    loaded = []
    real_load = similarity._load_snapshot

    def slow_load(path):
        time.sleep(0.3)  # a big stored index takes a while to read
        loaded.append(path)
        return real_load(path)

    monkeypatch.setattr(similarity, "_load_snapshot", slow_load)
    started = time.monotonic()
    assert similarity.similar_public_messages(board=world.board, title="路灯坏了") == []
    assert time.monotonic() - started < 0.25
    assert similarity.wait_until_loaded(timeout=20)
    assert loaded == [stored_index]
    assert similarity._state is not None and len(similarity._state.index) == 1


@pytest.mark.django_db(transaction=True)  # the loading thread reads with its own connection
def test_a_moderator_page_says_duplicates_are_loading_and_asks_again(
    world, client, stored_index, monkeypatch
):
    """A process that has just started renders the message page without waiting for the index:
    the duplicates section says it is loading and fetches itself again (HTMX) until it is."""
    original = _submit(world, "小区门口路灯坏了两个多月")
    again = _submit(world, "小区门口路灯坏了两个多月")
    similarity.store_index()
    similarity.forget_index()  # a new process
    monkeypatch.setattr(similarity, "REFRESH_IN_BACKGROUND", True)
    release = threading.Event()
    real_load = similarity._load_snapshot

    def slow_load(path):
        release.wait(20)  # the stored index is still being read
        return real_load(path)

    monkeypatch.setattr(similarity, "_load_snapshot", slow_load)
    client.force_login(world.moderator)
    url = reverse("desk:moderate_message", args=[again.pk])

    first = client.get(url)
    assert first.context["duplicates_loading"] and first.context["possible_duplicates"] == []
    assert 'id="possible-duplicates" aria-busy="true"' in first.text
    assert f'hx-get="{url}"' in first.text and 'hx-select="#possible-duplicates"' in first.text
    release.set()
    assert similarity.wait_until_loaded(timeout=20)

    later = client.get(url)
    assert not later.context["duplicates_loading"]
    assert [d.message for d in later.context["possible_duplicates"]] == [original]
    assert 'aria-busy="true"' not in later.text


def test_tick_queues_the_stored_index_when_it_is_due(world, stored_index):
    from django_tasks_db.models import DBTaskResult

    from liuyan.board import tasks

    def queued() -> int:
        return DBTaskResult.objects.filter(
            task_path__endswith="store_similarity_index_task"
        ).count()

    _public(world, "小区门口路灯坏了")
    assert tasks.queue_similarity_index() is True and queued() == 1
    assert tasks.queue_similarity_index() is False  # queued a moment ago
    tasks.store_similarity_index_task.call()  # what the worker does
    assert stored_index.exists()
    long_ago = time.time() - 2 * similarity.SNAPSHOT_SECONDS
    os.utime(stored_index.with_suffix(".queued"), (long_ago, long_ago))
    assert tasks.queue_similarity_index() is False  # the stored index is fresh
    os.utime(stored_index, (long_ago, long_ago))
    assert tasks.queue_similarity_index() is True and queued() == 2
