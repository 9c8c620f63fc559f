"""One test per lifecycle step through the service: allowed, and refused for the wrong actor or
state. Every step must leave exactly one more Event."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liuyan.board import services as s
from liuyan.board.models import Assignment, Event, Message, Reply
from liuyan.core.lifecycle import (
    AssignmentState,
    PermissionRefused,
    ReplyState,
    State,
    TransitionRefused,
)
from tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

BODY = "小区门口的路灯坏了两个多月，晚上出行很不方便，希望尽快修复。"


def submit(w, **extra):
    fields = dict(
        author=w.citizen,
        board=w.board,
        type="complaint",
        title="小区路灯长期不亮",
        body=BODY,
        now=MONDAY,
    )
    fields.update(extra)
    return s.submit_message(**fields)


def dispatched(w, unit=None, **extra):
    m = submit(w, **extra)
    s.dispatch_message(message_id=m.pk, actor=w.moderator, lead_unit=unit or w.bureau, now=MONDAY)
    return Message.objects.get(pk=m.pk)


def lead(m) -> Assignment:
    return m.assignments.filter(kind="lead").order_by("-id").first()


def accepted(w, unit=None, handler=None):
    m = dispatched(w, unit)
    s.accept_assignment(assignment_id=lead(m).pk, actor=handler or w.handler, now=MONDAY)
    return Message.objects.get(pk=m.pk)


def in_review(w):
    m = accepted(w)
    reply = s.submit_reply(
        assignment_id=lead(m).pk, actor=w.handler, body="经核查，已安排维修。", now=MONDAY
    )
    return Message.objects.get(pk=m.pk), reply


def replied(w):
    m, reply = in_review(w)
    s.approve_reply(reply_id=reply.pk, actor=w.moderator)  # now: the rating window is open
    return Message.objects.get(pk=m.pk)


def events(m):
    return list(Event.objects.filter(message=m).order_by("seq").values_list("action", flat=True))


# --- submit ------------------------------------------------------------------------------


def test_citizen_submits_and_the_timeline_starts(world):
    m = submit(world)
    assert m.state == State.SUBMITTED
    assert m.serial == "20260302000001"
    assert events(m) == ["submit"]
    assert m.screen_by > m.submitted_at


def test_second_message_of_the_day_gets_the_next_serial(world):
    submit(world)
    assert submit(world).serial == "20260302000002"


def test_personal_data_is_masked_in_the_public_text_only(world):
    m = submit(world, body=BODY + "我的电话13912345678，请联系我。")
    assert "13912345678" in m.body
    assert "13912345678" not in m.public_body
    assert "139" in m.public_body


@pytest.mark.parametrize(
    ("field", "value"), [("title", "短"), ("body", "太短了"), ("title", "长" * 51)]
)
def test_submit_refuses_bad_lengths_with_a_clear_error(world, field, value):
    with pytest.raises(ValidationError) as err:
        submit(world, **{field: value})
    assert field in err.value.message_dict


def test_operator_enters_for_a_caller(world):
    m = submit(world, author=None, entered_by=world.operator, channel="hotline")
    assert m.entered_by == world.operator
    assert Event.objects.get(message=m).actor_role == "operator"


def test_non_operator_cannot_enter_for_a_caller(world):
    with pytest.raises(ValidationError):
        submit(world, author=None, entered_by=world.handler, channel="hotline")


# --- screening ---------------------------------------------------------------------------


def test_moderator_screens_and_corrects_public_text(world):
    m = submit(world)
    s.screen_message(
        message_id=m.pk, actor=world.moderator, public_title="小区路灯不亮", now=MONDAY
    )
    m.refresh_from_db()
    assert m.public_title == "小区路灯不亮" and m.screened_at is not None
    assert events(m) == ["submit", "screen"]


def test_handler_cannot_screen(world):
    m = submit(world)
    with pytest.raises(PermissionRefused):
        s.screen_message(message_id=m.pk, actor=world.handler, now=MONDAY)


def test_moderator_of_another_city_cannot_screen(world):
    m = submit(world)
    with pytest.raises(PermissionRefused):
        s.screen_message(message_id=m.pk, actor=world.city_moderator, now=MONDAY)


def test_reject_with_reason(world):
    m = submit(world)
    s.reject_message(message_id=m.pk, actor=world.moderator, reason="spam", now=MONDAY)
    m.refresh_from_db()
    assert (m.state, m.reject_reason) == (State.REJECTED, "spam")


def test_reject_other_needs_an_explanation(world):
    m = submit(world)
    with pytest.raises(ValidationError):
        s.reject_message(message_id=m.pk, actor=world.moderator, reason="other", now=MONDAY)


def test_rejected_message_cannot_be_dispatched(world):
    m = submit(world)
    s.reject_message(message_id=m.pk, actor=world.moderator, reason="abusive", now=MONDAY)
    with pytest.raises(TransitionRefused):
        s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.bureau)


def test_mark_duplicate_points_at_the_root_original(world):
    original = submit(world)
    second = submit(world)
    third = submit(world)
    s.mark_duplicate(message_id=second.pk, original_id=original.pk, actor=world.moderator)
    s.mark_duplicate(message_id=third.pk, original_id=second.pk, actor=world.moderator)
    third.refresh_from_db()
    assert third.state == State.DUPLICATE and third.duplicate_of_id == original.pk


def test_message_cannot_duplicate_itself(world):
    m = submit(world)
    with pytest.raises(ValidationError):
        s.mark_duplicate(message_id=m.pk, original_id=m.pk, actor=world.moderator)


def test_citizen_cannot_mark_duplicate(world):
    a, b = submit(world), submit(world)
    with pytest.raises(PermissionRefused):
        s.mark_duplicate(message_id=b.pk, original_id=a.pk, actor=world.citizen)


# --- dispatch ----------------------------------------------------------------------------


def test_dispatch_creates_lead_and_co_assignments_with_working_day_deadlines(world):
    m = submit(world)
    s.dispatch_message(
        message_id=m.pk,
        actor=world.moderator,
        lead_unit=world.bureau,
        co_units=[world.other_unit, world.bureau],
        now=MONDAY,
    )
    m.refresh_from_db()
    assert m.state == State.DISPATCHED
    kinds = sorted(m.assignments.values_list("kind", flat=True))
    assert kinds == ["co", "lead"]  # the lead unit is not also a co-handling unit
    # 5 working days after Monday 2026-03-02 is Monday 2026-03-09, end of day in Shanghai.
    assert lead(m).accept_by.isoformat() == "2026-03-09T15:59:59.999999+00:00"
    assert events(m) == ["submit", "screen", "dispatch"]


def test_urgent_message_must_be_accepted_the_same_day(world):
    m = dispatched(world, is_urgent=True)
    assert lead(m).accept_by.isoformat() == "2026-03-02T15:59:59.999999+00:00"


def test_redispatch_cancels_the_first_assignment(world):
    m = dispatched(world)
    first = lead(m)
    s.dispatch_message(message_id=m.pk, actor=world.moderator, lead_unit=world.other_unit)
    first.refresh_from_db()
    assert first.state == AssignmentState.CANCELLED
    assert lead(Message.objects.get(pk=m.pk)).unit == world.other_unit
    assert events(m)[-1] == "redispatch"


def test_handler_cannot_dispatch(world):
    m = submit(world)
    with pytest.raises(PermissionRefused):
        s.dispatch_message(message_id=m.pk, actor=world.handler, lead_unit=world.bureau)


# --- accept, return, transfer ------------------------------------------------------------


def test_unit_accepts_and_gets_a_reply_deadline(world):
    m = accepted(world)
    a = lead(m)
    assert m.state == State.ACCEPTED and a.state == AssignmentState.ACCEPTED
    # 15 working days after Monday 2026-03-02 is Monday 2026-03-23.
    assert a.reply_by.isoformat() == "2026-03-23T15:59:59.999999+00:00"


def test_other_unit_cannot_accept(world):
    m = dispatched(world)
    with pytest.raises(PermissionRefused):
        s.accept_assignment(assignment_id=lead(m).pk, actor=world.other_handler)


def test_accept_twice_is_refused(world):
    m = accepted(world)
    with pytest.raises(TransitionRefused):
        s.accept_assignment(assignment_id=lead(m).pk, actor=world.handler)


def test_unit_returns_a_misrouted_message_to_moderators(world):
    m = dispatched(world)
    s.return_assignment(assignment_id=lead(m).pk, actor=world.handler, reason="不属于本单位职责")
    m.refresh_from_db()
    assert m.state == State.SUBMITTED
    assert not m.assignments.filter(state__in=["pending", "accepted"]).exists()


def test_return_needs_a_reason(world):
    m = dispatched(world)
    with pytest.raises(ValidationError):
        s.return_assignment(assignment_id=lead(m).pk, actor=world.handler, reason=" ")


def test_transfer_to_a_sub_unit_makes_a_child_assignment(world):
    m = accepted(world)
    parent = lead(m)
    child = s.transfer_assignment(
        assignment_id=parent.pk, actor=world.handler, to_unit=world.district_office
    )
    m.refresh_from_db()
    parent.refresh_from_db()
    assert m.state == State.DISPATCHED
    assert parent.state == AssignmentState.TRANSFERRED and child.parent == parent
    s.accept_assignment(assignment_id=child.pk, actor=world.sub_handler)
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED


def test_transfer_to_a_unit_that_is_not_a_sub_unit_is_refused(world):
    m = accepted(world)
    with pytest.raises(ValidationError):
        s.transfer_assignment(
            assignment_id=lead(m).pk, actor=world.handler, to_unit=world.other_unit
        )


def test_head_of_parent_unit_may_act_for_a_sub_unit(world):
    m = dispatched(world, unit=world.district_office)
    s.accept_assignment(assignment_id=lead(m).pk, actor=world.head)
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED


# --- co-handling -------------------------------------------------------------------------


def test_lead_invites_a_co_unit_which_gives_its_part(world):
    m = accepted(world)
    [co] = s.invite_co_units(
        assignment_id=lead(m).pk, actor=world.handler, units=[world.other_unit]
    )
    s.contribute(assignment_id=co.pk, actor=world.other_handler, body="我局已派员现场核查。")
    co.refresh_from_db()
    assert co.state == AssignmentState.CONTRIBUTED


def test_co_unit_cannot_write_the_final_reply(world):
    m = submit(world)
    s.dispatch_message(
        message_id=m.pk, actor=world.moderator, lead_unit=world.bureau, co_units=[world.other_unit]
    )
    co = Assignment.objects.get(message=m, kind="co")
    with pytest.raises(ValidationError):
        s.submit_reply(assignment_id=co.pk, actor=world.other_handler, body="答复")


# --- extensions --------------------------------------------------------------------------


def test_extension_approved_moves_the_reply_deadline(world):
    m = accepted(world)
    a = lead(m)
    before = a.reply_by
    req = s.request_extension(
        assignment_id=a.pk, actor=world.handler, reason="需要现场勘测", days=5
    )
    s.decide_extension(request_id=req.pk, actor=world.moderator, approve=True)
    a.refresh_from_db()
    assert a.reply_by > before
    assert a.extension_requests.filter(status="approved").count() == 1
    assert events(m)[-2:] == ["request_extension", "approve_extension"]


def test_only_one_extension_per_round(world):
    m = accepted(world)
    a = lead(m)
    req = s.request_extension(assignment_id=a.pk, actor=world.handler, reason="原因", days=5)
    s.decide_extension(request_id=req.pk, actor=world.moderator, approve=True)
    with pytest.raises(ValidationError):
        s.request_extension(assignment_id=a.pk, actor=world.handler, reason="再延", days=5)


def test_denied_extension_keeps_the_deadline(world):
    m = accepted(world)
    a = lead(m)
    req = s.request_extension(assignment_id=a.pk, actor=world.handler, reason="原因", days=5)
    s.decide_extension(request_id=req.pk, actor=world.moderator, approve=False, note="理由不足")
    refreshed = Assignment.objects.get(pk=a.pk)
    assert refreshed.reply_by == a.reply_by
    # A denied request does not use up the round's one extension.
    again = s.request_extension(assignment_id=a.pk, actor=world.handler, reason="补充材料", days=3)
    assert again.status == "pending"


def test_unit_cannot_approve_its_own_extension(world):
    m = accepted(world)
    req = s.request_extension(assignment_id=lead(m).pk, actor=world.handler, reason="r", days=3)
    with pytest.raises(PermissionRefused):
        s.decide_extension(request_id=req.pk, actor=world.head, approve=True)


# --- replies -----------------------------------------------------------------------------


def test_reply_goes_to_review_and_is_published(world):
    m, reply = in_review(world)
    assert m.state == State.REPLY_REVIEW and reply.state == ReplyState.UNDER_REVIEW
    s.approve_reply(reply_id=reply.pk, actor=world.moderator)
    m.refresh_from_db()
    assert m.state == State.REPLIED and m.rate_by is not None
    assert lead(m).state == AssignmentState.DONE


def test_signoff_unit_reply_waits_for_the_head(world):
    m = accepted(world, unit=world.signoff_unit, handler=world.signoff_handler)
    reply = s.submit_reply(assignment_id=lead(m).pk, actor=world.signoff_handler, body="答复内容")
    assert reply.state == ReplyState.AWAITING_SIGNOFF
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED
    with pytest.raises(PermissionRefused):
        s.sign_off_reply(reply_id=reply.pk, actor=world.signoff_handler)
    s.sign_off_reply(reply_id=reply.pk, actor=world.signoff_head)
    assert Message.objects.get(pk=m.pk).state == State.REPLY_REVIEW


def test_head_refuses_signoff_and_handler_revises(world):
    m = accepted(world, unit=world.signoff_unit, handler=world.signoff_handler)
    reply = s.submit_reply(assignment_id=lead(m).pk, actor=world.signoff_handler, body="初稿")
    s.refuse_signoff(reply_id=reply.pk, actor=world.signoff_head, reason="补充办理结果")
    revised = s.save_reply_draft(
        assignment_id=lead(m).pk, actor=world.signoff_handler, body="修改稿"
    )
    assert revised.pk == reply.pk and revised.body == "修改稿"


def test_moderator_returns_a_perfunctory_reply_and_the_unit_fixes_it(world):
    m, reply = in_review(world)
    s.return_reply(reply_id=reply.pk, actor=world.moderator, reason="答复敷衍")
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED
    fixed = s.submit_reply(assignment_id=lead(m).pk, actor=world.handler, body="已修复路灯两盏。")
    assert fixed.pk == reply.pk and fixed.state == ReplyState.UNDER_REVIEW


def test_return_reply_needs_a_reason(world):
    _m, reply = in_review(world)
    with pytest.raises(ValidationError):
        s.return_reply(reply_id=reply.pk, actor=world.moderator, reason="")


def test_handler_cannot_approve_a_reply(world):
    _m, reply = in_review(world)
    with pytest.raises(PermissionRefused):
        s.approve_reply(reply_id=reply.pk, actor=world.handler)


def test_no_second_submission_while_one_is_under_review(world):
    m, _reply = in_review(world)
    with pytest.raises(TransitionRefused):
        s.submit_reply(assignment_id=lead(m).pk, actor=world.handler, body="另一稿")


# --- rating, follow-ups, thanks, reopen, close ---------------------------------------------


def test_satisfied_rating_closes(world):
    m = replied(world)
    s.rate_reply(message_id=m.pk, actor=world.citizen, solved=True, attitude=5, speed=4)
    m.refresh_from_db()
    assert m.state == State.CLOSED and m.closed_at is not None


def test_unsatisfied_rating_goes_to_look_back_and_reopens_with_fresh_deadlines(world):
    m = replied(world)
    s.rate_reply(message_id=m.pk, actor=world.citizen, solved=False, attitude=3, speed=3)
    assert Message.objects.get(pk=m.pk).state == State.REVIEW
    later = timezone.now() + timedelta(days=7)
    second = s.reopen_message(message_id=m.pk, actor=world.moderator, now=later)
    m.refresh_from_db()
    assert (m.state, m.round, second.round) == (State.REOPENED, 2, 2)
    assert second.unit == world.bureau and second.accept_by > later
    s.accept_assignment(assignment_id=second.pk, actor=world.handler, now=later)
    assert Message.objects.get(pk=m.pk).state == State.ACCEPTED


def test_only_the_author_rates(world):
    m = replied(world)
    with pytest.raises(PermissionRefused):
        s.rate_reply(message_id=m.pk, actor=world.other_citizen, solved=True, attitude=5, speed=5)


def test_rating_scores_are_validated(world):
    m = replied(world)
    with pytest.raises(ValidationError):
        s.rate_reply(message_id=m.pk, actor=world.citizen, solved=True, attitude=6, speed=5)


def test_rating_after_the_window_is_refused(world):
    m = replied(world)
    with pytest.raises(ValidationError):
        s.rate_reply(
            message_id=m.pk,
            actor=world.citizen,
            solved=True,
            attitude=5,
            speed=5,
            now=m.rate_by + timedelta(seconds=1),
        )


def test_cannot_rate_before_the_reply(world):
    m = accepted(world)
    with pytest.raises(TransitionRefused):
        s.rate_reply(message_id=m.pk, actor=world.citizen, solved=True, attitude=5, speed=5)


def test_follow_up_and_thanks_by_the_author_after_the_reply(world):
    m = replied(world)
    s.follow_up(message_id=m.pk, actor=world.citizen, body="请问什么时候能修好？")
    s.thank(message_id=m.pk, actor=world.citizen, body="谢谢你们的及时处理！")
    assert events(m)[-2:] == ["follow_up", "thank"]


def test_follow_up_before_the_reply_is_refused(world):
    m = accepted(world)
    with pytest.raises(TransitionRefused):
        s.follow_up(message_id=m.pk, actor=world.citizen, body="进展如何？")


def test_moderator_closes_after_look_back(world):
    m = replied(world)
    s.rate_reply(message_id=m.pk, actor=world.citizen, solved=False, attitude=4, speed=4)
    s.close_message(message_id=m.pk, actor=world.moderator, note="已解释政策，无法进一步办理")
    assert Message.objects.get(pk=m.pk).state == State.CLOSED


def test_citizen_cannot_close(world):
    m = replied(world)
    with pytest.raises(PermissionRefused):
        s.close_message(message_id=m.pk, actor=world.citizen)


def test_auto_close_after_the_window_is_idempotent(world):
    m = replied(world)
    assert s.auto_close_unrated(now=m.rate_by - timedelta(seconds=1)) == 0
    assert s.auto_close_unrated(now=m.rate_by + timedelta(seconds=1)) == 1
    assert s.auto_close_unrated(now=m.rate_by + timedelta(days=1)) == 0
    m.refresh_from_db()
    assert m.state == State.CLOSED
    assert Event.objects.filter(message=m, action="auto_close").count() == 1
    assert Event.objects.get(message=m, action="auto_close").actor is None


# --- supervision and instructions ---------------------------------------------------------


def test_leader_orders_supervision_due_on_a_working_day(world):
    m = accepted(world)
    sup = s.supervise(message_id=m.pk, actor=world.leader, level="listed", now=MONDAY)
    assert sup.due_at.isoformat() == "2026-03-09T15:59:59.999999+00:00"
    s.submit_reply(assignment_id=lead(m).pk, actor=world.handler, body="已办结。")
    reply = Reply.objects.get(message=m)
    s.approve_reply(reply_id=reply.pk, actor=world.moderator)
    sup.refresh_from_db()
    assert sup.resolved_at is not None


def test_leader_of_another_board_cannot_supervise(world):
    m = accepted(world)
    with pytest.raises(PermissionRefused):
        s.supervise(message_id=m.pk, actor=world.other_leader, level="reminder")


def test_leader_writes_an_instruction(world):
    m = accepted(world)
    ins = s.instruct(
        message_id=m.pk, actor=world.leader, body="请市住建局抓紧办理。", is_public=True
    )
    assert ins.is_public
    assert Event.objects.filter(message=m, action="instruct", is_public=True).exists()


def test_moderator_cannot_write_an_instruction(world):
    m = accepted(world)
    with pytest.raises(PermissionRefused):
        s.instruct(message_id=m.pk, actor=world.moderator, body="批示内容")


# --- the timeline --------------------------------------------------------------------------


def test_events_are_append_only(world):
    m = submit(world)
    event = Event.objects.get(message=m)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        Event.objects.filter(message=m).update(note="x")
    with pytest.raises(TypeError):
        event.delete()


def test_a_refused_step_leaves_nothing_behind(world):
    m = dispatched(world)
    before = Event.objects.filter(message=m).count()
    with pytest.raises(PermissionRefused):
        s.accept_assignment(assignment_id=lead(m).pk, actor=world.other_handler)
    assert Event.objects.filter(message=m).count() == before
    assert Message.objects.get(pk=m.pk).state == State.DISPATCHED


def test_search_text_holds_the_public_text_and_the_published_reply(world):
    m = submit(world, body=BODY + "联系电话13912345678。")
    assert "路灯" in m.search_text.split()
    assert "13912345678" not in m.search_text
    m, reply = in_review(world)
    s.approve_reply(reply_id=reply.pk, actor=world.moderator)
    m.refresh_from_db()
    assert "维修" in m.search_text.split()


def test_an_assignment_knows_it_was_extended(world):
    m = accepted(world)
    a = lead(m)
    assert not a.is_extended
    req = s.request_extension(assignment_id=a.pk, actor=world.handler, reason="勘测", days=5)
    s.decide_extension(request_id=req.pk, actor=world.moderator, approve=True)
    assert Assignment.objects.get(pk=a.pk).is_extended
