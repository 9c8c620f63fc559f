"""Moderator console behaviour, through the pages: each step ends in the right service call."""

import pytest
from django.urls import reverse

from liuyan.board.models import Event, Message, Reply
from liuyan.core.lifecycle import ReplyState, State
from liuyan.desk.models import QualityPhrase
from tests.desk.conftest import REPLY, dispatch, submit

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.force_login(user)
    return client


def test_screening_queue_is_ordered_by_screen_by_and_shows_the_timer(client, world, objects):
    response = as_(client, world.moderator).get(reverse("desk:screening"))
    rows = response.context["rows"]
    deadlines = [message.screen_by for message, _ in rows]
    assert deadlines == sorted(deadlines)
    assert objects.new_city in [m for m, _ in rows]
    assert objects.returned not in [m for m, _ in rows]  # it has its own queue
    assert all(timer.days_left is not None for _, timer in rows)


def test_city_moderator_sees_only_their_region(client, world, objects):
    response = as_(client, world.city_moderator).get(reverse("desk:screening"))
    shown = {m.pk for m, _ in response.context["rows"]}
    assert objects.new_other.pk in shown
    assert objects.new_city.pk not in shown


def test_personal_data_is_highlighted_in_the_original_for_moderators(client, world, objects):
    response = as_(client, world.moderator).get(
        reverse("desk:moderate_message", args=[objects.new_city.pk])
    )
    marked = [p.text for p in response.context["body_parts"] if p.kind]
    assert marked == ["13912345678"]
    assert '<mark class="pii"' in response.content.decode()


def test_screen_saves_public_text_and_classification(client, world, objects):
    m = objects.new_city
    as_(client, world.moderator).post(
        reverse("desk:screen", args=[m.pk]),
        {
            "public_title": "路灯不亮问题",
            "public_body": "小区门口路灯坏了两个多月，希望尽快修复。",
            "type": "help",
            "is_urgent": "on",
        },
    )
    m.refresh_from_db()
    assert (m.public_title, m.type, m.is_urgent) == ("路灯不亮问题", "help", True)
    assert m.screened_at is not None


def test_reject_tells_the_author_why_in_the_event_note(client, world, objects):
    m = objects.new_city
    as_(client, world.moderator).post(
        reverse("desk:reject", args=[m.pk]), {"reason": "other", "note": "请直接拨打110报警"}
    )
    m.refresh_from_db()
    assert m.state == State.REJECTED
    event = m.events.order_by("-seq").first()
    assert (event.action, event.note, event.is_public) == ("reject", "请直接拨打110报警", True)


def test_reject_with_other_and_no_explanation_is_refused(client, world, objects):
    m = objects.new_city
    response = as_(client, world.moderator).post(
        reverse("desk:reject", args=[m.pk]), {"reason": "other", "note": ""}, follow=True
    )
    m.refresh_from_db()
    assert m.state == State.SUBMITTED
    assert any(msg.level_tag == "error" for msg in response.context["messages"])


def test_mark_duplicate_by_serial(client, world, objects):
    m = submit(world)
    as_(client, world.moderator).post(
        reverse("desk:duplicate", args=[m.pk]), {"original_serial": objects.new_city.serial}
    )
    m.refresh_from_db()
    assert (m.state, m.duplicate_of_id) == (State.DUPLICATE, objects.new_city.pk)


def test_duplicate_original_outside_the_region_is_not_found(client, world, objects):
    m = objects.new_other
    as_(client, world.city_moderator).post(
        reverse("desk:duplicate", args=[m.pk]), {"original_serial": objects.new_city.serial}
    )
    m.refresh_from_db()
    assert m.state == State.SUBMITTED


def test_serial_search_fragment_lists_matches(client, world, objects):
    serial = objects.new_city.serial
    response = as_(client, world.moderator).get(
        reverse("desk:serial_search"), {"original_serial": serial}, HTTP_HX_REQUEST="true"
    )
    assert response.templates[0].name == "desk/moderator/_serial_results.html"
    assert serial in response.content.decode()


def test_dispatch_to_lead_and_co_units(client, world, objects):
    m = objects.new_city
    as_(client, world.moderator).post(
        reverse("desk:dispatch", args=[m.pk]),
        {"lead_unit": world.bureau.pk, "co_units": [world.signoff_unit.pk], "note": "请核实"},
    )
    m.refresh_from_db()
    assert m.state == State.DISPATCHED
    kinds = set(m.assignments.values_list("unit_id", "kind"))
    assert kinds == {(world.bureau.pk, "lead"), (world.signoff_unit.pk, "co")}


def test_routing_suggests_the_local_domain_unit_before_the_boards_default_unit(world, objects):
    from liuyan.desk import insight
    from liuyan.directory.models import Domain, Unit

    domain = Domain.objects.create(name="城乡建设", level=1)
    sub = Domain.objects.create(name="物业管理", level=2, parent=domain)
    covering = Unit.objects.create(name="长沙县城管局", region=world.county)
    covering.domains.add(domain)
    elsewhere = Unit.objects.create(name="株洲市城管局", region=world.other_city)
    elsewhere.domains.add(domain)
    m = submit(world, region=world.county, domain=sub)
    suggested = insight.suggested_units(m)
    assert [(s.unit, s.reason) for s in suggested] == [
        (covering, "domain"),
        (world.bureau, "board"),
    ]
    assert suggested[0].confidence > suggested[1].confidence > 0


def test_routing_learns_from_kept_dispatches(world, objects):
    from liuyan.board import services
    from liuyan.desk import insight
    from liuyan.insight import routing

    # Moderators keep sending this board's messages to the education bureau, which accepts them.
    for _ in range(routing.MIN_HISTORY):
        a = dispatch(world, submit(world), world.signoff_unit)
        services.accept_assignment(assignment_id=a.pk, actor=world.signoff_handler)
    returned = dispatch(world, submit(world), world.district_office)  # sent back: not counted
    services.return_assignment(
        assignment_id=returned.pk, actor=world.sub_handler, reason="不属于本单位职责"
    )
    suggested = insight.suggested_units(submit(world))
    assert suggested[0].unit == world.signoff_unit and suggested[0].reason == "history"
    assert world.district_office not in [s.unit for s in suggested[:1]]


def test_routing_learns_from_the_most_recent_messages_only(world, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from liuyan.board import services
    from liuyan.board.models import Message
    from liuyan.desk import insight
    from liuyan.insight import routing

    # Long ago this board's messages went to the education bureau; lately to the district
    # office. Only the most recent messages (here MIN_HISTORY and the one being moderated) are
    # read, so the older, larger habit no longer counts.
    monkeypatch.setattr(insight, "HISTORY_MESSAGES", routing.MIN_HISTORY + 1)
    old = []
    for _ in range(routing.MIN_HISTORY + 2):
        a = dispatch(world, submit(world), world.signoff_unit)
        services.accept_assignment(assignment_id=a.pk, actor=world.signoff_handler)
        old.append(a.message_id)
    Message.objects.filter(pk__in=old).update(submitted_at=timezone.now() - timedelta(days=60))
    for _ in range(routing.MIN_HISTORY):
        a = dispatch(world, submit(world), world.district_office)
        services.accept_assignment(assignment_id=a.pk, actor=world.sub_handler)
    suggested = insight.suggested_units(submit(world))
    assert suggested[0].unit == world.district_office and suggested[0].reason == "history"


def test_dispatch_form_shows_suggestions_with_confidences(client, world, objects):
    page = as_(client, world.moderator).get(
        reverse("desk:moderate_message", args=[objects.new_city.pk])
    )
    first = page.context["suggestions"][0]
    assert first.unit == world.bureau
    assert f"{first.confidence:.0%}" in page.text
    assert "板块默认办理单位" in page.text


def test_returned_queue_shows_the_units_reason(client, world, objects):
    response = as_(client, world.moderator).get(reverse("desk:returned"))
    assert [m.pk for m, _ in response.context["rows"]] == [objects.returned.pk]
    page = client.get(reverse("desk:moderate_message", args=[objects.returned.pk]))
    assert "不属于本单位职责" in page.content.decode()


def test_reply_review_shows_quality_hints_from_the_phrase_list(client, world, objects):
    reply = objects.reviewing
    Reply.objects.filter(pk=reply.pk).update(body="您好，此事请咨询有关部门。")
    response = as_(client, world.moderator).get(reverse("desk:review_reply", args=[reply.pk]))
    phrases = [h.phrase for h in response.context["hints"]]
    assert "请咨询有关部门" in phrases
    QualityPhrase.objects.filter(phrase="请咨询有关部门").update(is_active=False)
    response = client.get(reverse("desk:review_reply", args=[reply.pk]))
    assert "请咨询有关部门" not in [h.phrase for h in response.context["hints"]]


def test_return_reply_needs_a_reason_then_sends_it_back(client, world, objects):
    reply = objects.reviewing
    url = reverse("desk:return_reply", args=[reply.pk])
    as_(client, world.moderator).post(url, {"reason": ""})
    reply.refresh_from_db()
    assert reply.state == ReplyState.UNDER_REVIEW
    client.post(url, {"reason": "请写明维修完成时间"})
    reply.refresh_from_db()
    assert (reply.state, reply.return_reason) == (ReplyState.RETURNED, "请写明维修完成时间")


def test_approve_publishes(client, world, objects):
    reply = objects.reviewing
    as_(client, world.moderator).post(reverse("desk:approve_reply", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.state == ReplyState.PUBLISHED
    assert Message.objects.get(pk=reply.message_id).state == State.REPLIED


def test_extension_decision(client, world, objects):
    extension = objects.extension
    objects.accepted.refresh_from_db()
    before = objects.accepted.reply_by
    as_(client, world.moderator).post(
        reverse("desk:decide_extension", args=[extension.pk]), {"decision": "approve"}
    )
    extension.refresh_from_db()
    objects.accepted.refresh_from_db()
    assert extension.status == "approved"
    assert objects.accepted.reply_by > before


def test_lookback_reopen_with_another_unit(client, world, objects):
    m = objects.lookback
    as_(client, world.moderator).post(
        reverse("desk:reopen", args=[m.pk]), {"unit": world.signoff_unit.pk, "note": "二次办理"}
    )
    m.refresh_from_db()
    assert (m.state, m.round) == (State.REOPENED, 2)
    assert m.assignments.filter(round=2, unit=world.signoff_unit, state="pending").exists()


def test_lookback_close_with_a_note(client, world, objects):
    m = objects.lookback
    as_(client, world.moderator).post(reverse("desk:close", args=[m.pk]), {"note": "已解释"})
    m.refresh_from_db()
    assert m.state == State.CLOSED
    assert Event.objects.filter(message=m, action="close", note="已解释").exists()


def test_order_supervision_with_a_due_date(client, world, objects):
    m = objects.new_city
    as_(client, world.moderator).post(
        reverse("desk:supervise", args=[m.pk]),
        {"level": "listed", "due_date": "2099-03-02", "note": "限期办结"},
    )
    supervision = m.supervisions.get()
    assert supervision.level == "listed"
    assert supervision.due_at.year == 2099
    response = client.get(reverse("desk:supervision"))
    assert supervision in [s for s, _ in response.context["rows"]]


def test_overdue_lists_use_deadlines(client, world, objects):
    from datetime import timedelta

    from django.utils import timezone

    from liuyan.board.models import Assignment

    Assignment.objects.filter(pk=objects.pending.pk).update(
        accept_by=timezone.now() - timedelta(days=3)
    )
    response = as_(client, world.moderator).get(reverse("desk:overdue"), {"kind": "acceptance"})
    rows = response.context["rows"]
    assert [a.pk for a, _ in rows] == [objects.pending.pk]
    assert rows[0][1].status == "overdue"


def test_only_allowed_buttons_are_shown(client, world, objects):
    page = as_(client, world.moderator).get(
        reverse("desk:moderate_message", args=[objects.lookback.pk])
    )
    html = page.content.decode()
    assert reverse("desk:reopen", args=[objects.lookback.pk]) in html
    assert reverse("desk:dispatch", args=[objects.lookback.pk]) not in html
    assert reverse("desk:reject", args=[objects.lookback.pk]) not in html


def test_reply_text_is_reviewed_beside_the_message(client, world, objects):
    page = as_(client, world.moderator).get(
        reverse("desk:review_reply", args=[objects.reviewing.pk])
    )
    html = page.content.decode()
    assert REPLY in html and objects.reviewing.message.public_body in html
