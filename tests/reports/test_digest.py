"""The weekly digest 民声摘报, one whole cycle: propose → publish → 批示 → supervision → progress
reported in the next issue; who may see and do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from liuyan.board import services
from liuyan.board.models import Event, Instruction, Supervision
from liuyan.notifications.models import Notification
from liuyan.reports.digest_models import Digest, DigestItem, ItemInstruction, ItemProgress

pytestmark = pytest.mark.django_db


def _message(world, title):
    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title=title,
        body=f"{title}，已经持续很长时间了，影响居民生活，请有关部门尽快处理。",
    )
    services.dispatch_message(message_id=message.pk, actor=world.moderator, lead_unit=world.bureau)
    return message


def _answer(world, message):
    assignment = message.assignments.get(state="pending")
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    reply = services.submit_reply(
        assignment_id=assignment.pk, actor=world.handler, body="已处理完毕。"
    )
    services.approve_reply(reply_id=reply.pk, actor=world.moderator)


def _publish(client, world, *, add):
    client.force_login(world.moderator)
    client.post(reverse("reports:digest_create"), {"region": world.city.code})
    digest = Digest.objects.filter(status="draft").latest("id")
    add(digest)
    client.post(reverse("reports:digest_publish", args=[digest.pk]))
    digest.refresh_from_db()
    return digest


def test_a_digest_cycle_from_proposal_to_progress_in_the_next_issue(world, client):
    listed = _message(world, "丽景小区污水外溢")
    other = _message(world, "滨江路路灯不亮")
    services.supervise(message_id=listed.pk, actor=world.moderator, level="listed", note="")

    # The moderator starts a draft: the listed supervision is proposed.
    client.force_login(world.moderator)
    client.post(reverse("reports:digest_create"), {"region": world.city.code})
    draft = Digest.objects.get(status="draft")
    page = client.get(reverse("reports:digest", args=[draft.pk]))
    assert page.status_code == 200 and "丽景小区污水外溢" in page.text
    key = next(p.key for p, _ in page.context["proposals"] if p.kind == "listed")
    client.post(reverse("reports:digest_add_proposal", args=[draft.pk]), {"key": key})
    client.post(
        reverse("reports:digest_add_item", args=[draft.pk]),
        {"title": "路灯长期不亮", "summary": "滨江路路灯坏了一个月。", "serials": other.serial},
    )
    first, second = draft.items.order_by("position")
    assert list(first.messages.all()) == [listed] and list(second.messages.all()) == [other]
    client.post(
        reverse("reports:digest_edit_item", args=[draft.pk, first.pk]),
        {"title": "丽景小区污水外溢两月未解决", "summary": "居民多次反映，挂牌督办中。"},
    )
    client.post(
        reverse("reports:digest_move_item", args=[draft.pk, second.pk]), {"direction": "up"}
    )
    assert [i.title for i in draft.items.order_by("position")] == [
        "路灯长期不亮",
        "丽景小区污水外溢两月未解决",
    ]

    # Leaders cannot read a draft; publishing numbers it and tells them.
    client.force_login(world.leader)
    assert client.get(reverse("reports:digest", args=[draft.pk])).status_code == 404
    client.force_login(world.moderator)
    client.post(reverse("reports:digest_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published and (draft.year, draft.number) == (timezone.localtime().year, 1)
    note = Notification.objects.get(recipient=world.leader, kind="digest")
    assert "第1期" in note.title and note.url == reverse("reports:digest", args=[draft.pk])
    assert not Notification.objects.filter(recipient=world.other_leader, kind="digest").exists()
    client.post(
        reverse("reports:digest_add_item", args=[draft.pk]),
        {"title": "x", "summary": "y", "serials": other.serial},
    )
    assert draft.items.count() == 2  # a published issue no longer changes

    # The leader writes a 批示 on each item, naming units and a date.
    client.force_login(world.leader)
    page = client.get(reverse("reports:digest", args=[draft.pk]))
    assert page.status_code == 200 and page.context["may_instruct"]
    day = timezone.localdate() + timedelta(days=20)
    due = (day + timedelta(days=(2 - day.weekday()) % 7)).isoformat()  # a Wednesday
    for item, body in ((first, "请市住建局一周内解决污水问题。"), (second, "请尽快修复路灯。")):
        response = client.post(
            reverse("reports:digest_instruct", args=[draft.pk, item.pk]),
            {"body": body, "units": [world.bureau.pk, world.district_office.pk], "due": due},
        )
        assert response.status_code == 302
    instruction = ItemInstruction.objects.get(item=first)
    assert set(instruction.units.all()) == {world.bureau, world.district_office}
    assert Instruction.objects.get(message=listed).body == "请市住建局一周内解决污水问题。"
    supervision = Supervision.objects.get(message=listed, level="supervision")
    assert supervision.resolved_at is None and "长沙市住房和城乡建设局" in supervision.note
    # The end of the chosen day (a working day), or of the next working day after a holiday.
    assert timezone.localtime(supervision.due_at).date().isoformat() >= due
    assert timezone.localtime(supervision.due_at).date() - timedelta(days=7) < day
    assert list(
        Event.objects.filter(message=listed, action__in=["instruct", "supervise"]).values_list(
            "action", flat=True
        )
    ) == ["supervise", "instruct", "supervise"]

    # The first item is solved (answered; the answer resolves its supervisions), the second not.
    _answer(world, listed)
    issue_two = _publish(
        client,
        world,
        add=lambda d: client.post(
            reverse("reports:digest_add_item", args=[d.pk]),
            {"title": "本周新问题", "summary": "摘要。", "serials": other.serial},
        ),
    )
    assert issue_two.number == 2
    progress = {p.item_id: p for p in ItemProgress.objects.filter(digest=issue_two)}
    assert progress[first.pk].solved and not progress[second.pk].solved
    assert progress[second.pk].messages_replied == 0 and progress[second.pk].messages_total == 1
    page = client.get(reverse("reports:digest", args=[issue_two.pk]))
    assert "前期批示件办理情况" in page.text

    # Issue three reports only what is not yet reported solved.
    issue_three = _publish(
        client,
        world,
        add=lambda d: client.post(
            reverse("reports:digest_add_item", args=[d.pk]),
            {"title": "第三期问题", "summary": "摘要。", "serials": listed.serial},
        ),
    )
    assert issue_three.number == 3
    assert list(
        ItemProgress.objects.filter(digest=issue_three).values_list("item_id", flat=True)
    ) == [second.pk]

    # The list searches titles and summaries; the PDF renders.
    page = client.get(reverse("reports:digests"), {"q": "路灯"})
    assert [d.pk for d in page.context["digests"]] == [draft.pk]
    pdf = client.get(reverse("reports:digest_pdf", args=[draft.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_outsiders_cannot_read_or_instruct(world, client):
    message = _message(world, "丽景小区污水外溢")
    client.force_login(world.moderator)
    client.post(reverse("reports:digest_create"), {"region": world.city.code})
    digest = Digest.objects.get()
    client.post(
        reverse("reports:digest_add_item", args=[digest.pk]),
        {"title": "污水", "summary": "摘要。", "serials": message.serial},
    )
    client.post(reverse("reports:digest_publish", args=[digest.pk]))
    item = DigestItem.objects.get()
    client.force_login(world.other_leader)  # leads another city
    assert client.get(reverse("reports:digest", args=[digest.pk])).status_code == 404
    assert (
        client.post(
            reverse("reports:digest_instruct", args=[digest.pk, item.pk]),
            {"body": "批示", "units": [world.bureau.pk], "due": "2099-01-01"},
        ).status_code
        == 404
    )
    client.force_login(world.city_moderator)  # moderates another city: cannot compile here
    assert (
        client.post(reverse("reports:digest_create"), {"region": world.city.code}).status_code
        == 403
    )
    client.force_login(world.citizen)
    assert client.get(reverse("reports:digests")).status_code == 403
    client.logout()
    assert client.get(reverse("reports:digests")).status_code == 302
    assert not ItemInstruction.objects.exists()


def test_a_leader_cannot_instruct_on_messages_written_to_another_leaders_board(world, client):
    """board.access decides: the mayor's post acts on messages to the mayor. An item with a
    message to another board of the city is instructed by that board's leader, not partly."""
    from liuyan.directory.models import Board

    county_board = Board.objects.create(name="长沙县县长", kind="leader", region=world.county)
    own = _message(world, "丽景小区污水外溢")
    other = services.submit_message(
        author=world.citizen,
        board=county_board,
        type="complaint",
        title="长沙县路灯不亮",
        body="长沙县星沙街道路灯坏了两个多月，晚上出行很不方便，希望尽快修复，谢谢。",
    )
    client.force_login(world.moderator)
    client.post(reverse("reports:digest_create"), {"region": world.city.code})
    digest = Digest.objects.get()
    client.post(
        reverse("reports:digest_add_item", args=[digest.pk]),
        {"title": "路灯与污水", "summary": "摘要。", "serials": f"{own.serial} {other.serial}"},
    )
    client.post(reverse("reports:digest_publish", args=[digest.pk]))
    item = DigestItem.objects.get()
    client.force_login(world.leader)
    page = client.get(reverse("reports:digest", args=[digest.pk]))
    assert page.context["instructable"] == [(item, False)]
    response = client.post(
        reverse("reports:digest_instruct", args=[digest.pk, item.pk]),
        {"body": "请尽快办理。", "units": [world.bureau.pk], "due": "2099-01-07"},
        follow=True,
    )
    assert other.serial in response.text
    assert not ItemInstruction.objects.exists() and not Instruction.objects.exists()
    assert not Supervision.objects.exists()


def test_the_system_proposes_follow_ups_unsatisfied_ratings_and_overdue_messages(world):
    from liuyan.reports.digest_selectors import propose

    rated = _message(world, "丽景小区污水外溢")
    _answer(world, rated)
    services.follow_up(message_id=rated.pk, actor=world.citizen, body="请问什么时候能彻底解决？")
    services.follow_up(message_id=rated.pk, actor=world.citizen, body="问题还在，请再看看。")
    services.rate_reply(message_id=rated.pk, actor=world.citizen, solved=False, attitude=4, speed=4)
    late = _message(world, "滨江路路灯不亮")
    other_city = services.submit_message(
        author=world.citizen,
        board=world.other_board,
        type="complaint",
        title="株洲路灯不亮",
        body="株洲市芦淞区路灯坏了两个多月，晚上出行很不方便，希望尽快修复，谢谢。",
    )
    services.dispatch_message(
        message_id=other_city.pk, actor=world.moderator, lead_unit=world.other_unit
    )

    proposals = propose(world.city, now=timezone.now() + timedelta(days=10))
    kinds = {p.kind: p.message_ids for p in proposals}
    # Ten days on, the follow-ups and the rating are out of the week: only the overdue message.
    assert kinds == {"overdue": [late.pk]}
    proposals = propose(world.city, now=timezone.now() + timedelta(minutes=1))
    kinds = {p.kind: p.message_ids for p in proposals}
    assert kinds["follow_ups"] == [rated.pk] and kinds["unsatisfied"] == [rated.pk]
    assert "overdue" not in kinds
    assert all(other_city.pk not in ids for ids in kinds.values())
