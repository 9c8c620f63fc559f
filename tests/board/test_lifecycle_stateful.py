"""Random sequences of actions by random actors, with the invariants checked after every step.

Hypothesis picks a message, a step and a person; the service either performs it or refuses it.
Whatever happens, after each step:
- every message's timeline is ordered and complete (seq 1..n, times never go back, each step starts
  where the previous one ended, and the last one ends in the message's state);
- a message in a terminal state stays there;
- every deadline falls on a working day;
- exactly one lead assignment is active while the message is being handled, none once it ended;
- a refused step changes nothing;
- private messages never appear in public selectors or to people who may not see them.
"""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from liuyan.board import access, selectors
from liuyan.board import services as s
from liuyan.board.models import Assignment, Event, ExtensionRequest, Message, Reply, Supervision
from liuyan.core.clock import local_date
from liuyan.core.lifecycle import (
    ACTIVE_ASSIGNMENT_STATES,
    HANDLING_STATES,
    TERMINAL_STATES,
    LifecycleError,
    State,
)
from liuyan.directory.models import Holiday
from liuyan.directory.selectors import forget_work_calendar, work_calendar
from tests.conftest import MONDAY

TEXT = "楼下餐馆油烟直排，窗户都不敢开，已经反映多次，希望相关部门尽快处理。"
STEPS = [
    "screen",
    "reject",
    "duplicate",
    "dispatch",
    "accept",
    "return",
    "transfer",
    "invite",
    "contribute",
    "request_extension",
    "approve_extension",
    "deny_extension",
    "draft",
    "submit_reply",
    "sign_off",
    "refuse_signoff",
    "approve_reply",
    "return_reply",
    "rate",
    "follow_up",
    "thank",
    "reopen",
    "close",
    "supervise",
    "instruct",
]

_MODERATORS = ("moderator", "city_moderator")
_UNIT_STAFF = ("handler", "head", "sub_handler", "signoff_handler", "signoff_head")
_AUTHORS = ("citizen", "other_citizen")
LIKELY_ACTORS = {
    **dict.fromkeys(
        ["screen", "reject", "duplicate", "dispatch", "approve_extension", "deny_extension"],
        _MODERATORS,
    ),
    **dict.fromkeys(["approve_reply", "return_reply", "reopen", "close"], _MODERATORS),
    **dict.fromkeys(
        ["accept", "return", "transfer", "invite", "request_extension", "draft", "submit_reply"],
        _UNIT_STAFF,
    ),
    "contribute": ("other_handler", "handler", "sub_handler", "signoff_handler"),
    "sign_off": ("head", "signoff_head"),
    "refuse_signoff": ("head", "signoff_head"),
    **dict.fromkeys(["rate", "follow_up", "thank"], _AUTHORS),
    "supervise": ("leader", "moderator"),
    "instruct": ("leader", "other_leader"),
}

UNIT_STEPS = {
    "accept",
    "return",
    "transfer",
    "invite",
    "contribute",
    "request_extension",
    "draft",
    "submit_reply",
    "sign_off",
    "refuse_signoff",
}
NEXT_STEPS = {
    State.SUBMITTED: ["screen", "dispatch", "dispatch", "reject", "duplicate"],
    State.DISPATCHED: ["accept", "accept", "transfer", "return", "dispatch"],
    State.REOPENED: ["accept", "accept", "transfer", "dispatch"],
    State.ACCEPTED: [
        "submit_reply",
        "submit_reply",
        "sign_off",
        "refuse_signoff",
        "draft",
        "request_extension",
        "approve_extension",
        "invite",
        "contribute",
        "transfer",
        "return",
    ],
    State.REPLY_REVIEW: ["approve_reply", "approve_reply", "return_reply", "contribute"],
    State.REPLIED: ["rate", "rate", "follow_up", "thank", "close"],
    State.REVIEW: ["reopen", "reopen", "close"],
}

# What the runs actually did: a run that never got past screening would prove nothing.
PERFORMED: set[str] = set()
REACHED: set[str] = set()


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, world):
        super().__init__()
        self.w = world
        self.savepoint = transaction.savepoint()
        self.people = [
            world.citizen,
            world.other_citizen,
            world.moderator,
            world.city_moderator,
            world.handler,
            world.head,
            world.sub_handler,
            world.other_handler,
            world.signoff_handler,
            world.signoff_head,
            world.leader,
            world.other_leader,
            world.operator,
        ]
        self.units = [world.bureau, world.district_office, world.other_unit, world.signoff_unit]
        self.now = MONDAY
        self.message_ids: list[int] = []
        self.seen_terminal: dict[int, str] = {}

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- rules ---------------------------------------------------------------------------

    @initialize(count=st.integers(min_value=1, max_value=3))
    def some_messages(self, count):
        for _ in range(count):
            self.submit("citizen", is_public=bool(len(self.message_ids) % 2), is_urgent=False)

    @initialize()
    def one_message_down_the_main_path(self):
        """Every run carries one message to a published reply, whatever Hypothesis draws.

        Random programs reach the end of the main path only now and then, so without this a run
        could check the invariants on nothing past dispatch and still pass.
        """
        self.submit("citizen", is_public=True, is_urgent=False)
        message_id = self.message_ids[-1]
        s.dispatch_message(
            message_id=message_id,
            actor=self.w.moderator,
            lead_unit=self.w.bureau,
            co_units=[],
            now=self.now,
        )
        REACHED.add(State.DISPATCHED)
        lead = self._lead(message_id).pk
        s.accept_assignment(assignment_id=lead, actor=self.w.handler, now=self.now)
        REACHED.add(State.ACCEPTED)
        s.submit_reply(assignment_id=lead, actor=self.w.handler, body="经核查已处理", now=self.now)
        REACHED.add(State.REPLY_REVIEW)
        s.approve_reply(reply_id=self._reply(message_id).pk, actor=self.w.moderator, now=self.now)
        REACHED.add(Message.objects.get(pk=message_id).state)
        PERFORMED.update({"dispatch", "accept", "submit_reply", "approve_reply"})

    @rule(
        author=st.sampled_from(["citizen", "other_citizen", "operator"]),
        is_public=st.booleans(),
        is_urgent=st.booleans(),
    )
    def submit(self, author, is_public, is_urgent):  # also called by some_messages
        person = getattr(self.w, author)
        by_operator = author == "operator"
        message = s.submit_message(
            author=None if by_operator else person,
            entered_by=person if by_operator else None,
            channel="hotline" if by_operator else "web",
            board=self.w.board,
            type="complaint",
            title="餐馆油烟扰民问题",
            body=TEXT,
            is_public=is_public,
            is_urgent=is_urgent,
            now=self.now,
        )
        self.message_ids.append(message.pk)

    @rule(hours=st.integers(min_value=1, max_value=24 * 20))
    def time_passes(self, hours):
        self.now += timedelta(hours=hours)

    @rule()
    def tick(self):
        s.auto_close_unrated(now=self.now)

    @rule(data=st.data())
    def progress(self, data):
        """A natural next step for the message's state, by someone who holds the right role."""
        if not self.message_ids:
            return
        message_id = data.draw(st.sampled_from(self.message_ids), label="message")
        # A burst of steps on one message: Hypothesis keeps most programs short.
        for _ in range(data.draw(st.integers(min_value=1, max_value=12), label="burst")):
            state = Message.objects.get(pk=message_id).state
            if state not in NEXT_STEPS:
                return
            step = data.draw(st.sampled_from(NEXT_STEPS[state]), label="step")
            actors = self._fitting_actors(step, message_id)
            actor = data.draw(st.sampled_from(actors), label="actor")
            self._attempt(step, message_id, actor, data)

    @rule(data=st.data(), step=st.sampled_from(STEPS))
    def act(self, data, step):
        if not self.message_ids:
            return
        message_id = data.draw(st.sampled_from(self.message_ids), label="message")
        # Mostly someone who could plausibly take the step, so runs get deep into the
        # lifecycle; sometimes anyone at all, so the refusals are exercised too.
        likely = [getattr(self.w, name) for name in LIKELY_ACTORS[step]]
        actor = data.draw(
            st.one_of(st.sampled_from(likely), st.sampled_from(self.people)), label="actor"
        )
        self._attempt(step, message_id, actor, data)

    def _attempt(self, step, message_id, actor, data):
        before = self._snapshot(message_id)
        try:
            self._perform(step, message_id, actor, data)
        except (LifecycleError, ValidationError, Assignment.DoesNotExist, Reply.DoesNotExist):
            assert self._snapshot(message_id) == before, f"refused {step} changed the message"
        else:
            PERFORMED.add(step)
            REACHED.add(Message.objects.get(pk=message_id).state)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def timelines_are_ordered_and_complete(self):
        for message in Message.objects.filter(pk__in=self.message_ids):
            events = list(Event.objects.filter(message=message).order_by("seq"))
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert events[0].action == "submit" and events[0].from_state == ""
            for previous, current in pairwise(events):
                assert previous.at <= current.at
                assert current.from_state == previous.to_state, (previous, current)
            assert events[-1].to_state == message.state

    @invariant()
    def terminal_states_stay_terminal(self):
        for pk, state in Message.objects.filter(pk__in=self.message_ids).values_list("pk", "state"):
            if pk in self.seen_terminal:
                assert state == self.seen_terminal[pk]
            elif state in TERMINAL_STATES:
                self.seen_terminal[pk] = state

    @invariant()
    def deadlines_fall_on_working_days(self):
        calendar = work_calendar()
        deadlines = []
        assignments = Assignment.objects.filter(message_id__in=self.message_ids)
        for accept_by, reply_by in assignments.values_list("accept_by", "reply_by"):
            deadlines += [accept_by, reply_by]
        messages = Message.objects.filter(pk__in=self.message_ids)
        deadlines += list(messages.values_list("screen_by", flat=True))
        supervisions = Supervision.objects.filter(message_id__in=self.message_ids)
        deadlines += list(supervisions.values_list("due_at", flat=True))
        for deadline in filter(None, deadlines):
            assert calendar.is_working_day(local_date(deadline)), deadline

    @invariant()
    def one_active_lead_while_handled(self):
        for message in Message.objects.filter(pk__in=self.message_ids):
            active = message.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
            leads = active.filter(kind="lead").count()
            if message.state in HANDLING_STATES:
                assert leads == 1, (message.state, leads)
            else:
                assert leads == 0, (message.state, leads)
            if message.state in TERMINAL_STATES:
                assert not active.exists()

    @invariant()
    def private_messages_stay_private(self):
        public_ids = set(selectors.public_messages().values_list("pk", flat=True))
        for message in Message.objects.filter(pk__in=self.message_ids):
            if not message.is_public:
                assert message.pk not in public_ids
                assert not access.can_view(None, message)
                stranger = self.w.other_handler
                if not message.assignments.filter(unit=self.w.other_unit).exists():
                    assert not access.can_view(stranger, message)
                assert not access.can_view(self.w.other_leader, message)

    # --- helpers -------------------------------------------------------------------------

    def _snapshot(self, message_id):
        message = Message.objects.get(pk=message_id)
        return (
            message.state,
            message.round,
            Event.objects.filter(message_id=message_id).count(),
            tuple(
                Assignment.objects.filter(message_id=message_id)
                .order_by("pk")
                .values_list("state", "reply_by")
            ),
            tuple(Reply.objects.filter(message_id=message_id).order_by("pk").values_list("state")),
        )

    def _fitting_actors(self, step, message_id):
        """People who hold the right role for this message: the progress rule's whole point."""
        if step in ("rate", "follow_up", "thank"):
            author = Message.objects.get(pk=message_id).author
            return [author or self.w.citizen]
        if step in ("supervise", "instruct"):
            return [self.w.leader]
        if step not in UNIT_STEPS:
            return [self.w.moderator]  # covers every region; city_moderator does not
        kind = "co" if step == "contribute" else "lead"
        assignment = (
            Assignment.objects.filter(message_id=message_id, kind=kind).order_by("-pk").first()
        )
        if assignment is None:
            return [self.w.handler]
        staff = {
            self.w.bureau.pk: [self.w.handler, self.w.head],
            self.w.district_office.pk: [self.w.sub_handler, self.w.head],
            self.w.other_unit.pk: [self.w.other_handler],
            self.w.signoff_unit.pk: [self.w.signoff_handler, self.w.signoff_head],
        }
        return staff[assignment.unit_id]

    def _lead(self, message_id):
        return Assignment.objects.filter(message_id=message_id, kind="lead").latest("pk")

    def _reply(self, message_id):
        return Reply.objects.filter(message_id=message_id).latest("pk")

    def _perform(self, step, message_id, actor, data):  # one branch a step
        now, pick = self.now, data.draw
        unit = pick(st.sampled_from(self.units), label="unit")
        if step == "screen":
            s.screen_message(message_id=message_id, actor=actor, now=now)
        elif step == "reject":
            s.reject_message(message_id=message_id, actor=actor, reason="spam", now=now)
        elif step == "duplicate":
            original = pick(st.sampled_from(self.message_ids), label="original")
            s.mark_duplicate(message_id=message_id, original_id=original, actor=actor, now=now)
        elif step == "dispatch":
            co = pick(st.lists(st.sampled_from(self.units), max_size=2), label="co")
            s.dispatch_message(
                message_id=message_id, actor=actor, lead_unit=unit, co_units=co, now=now
            )
        elif step == "accept":
            s.accept_assignment(assignment_id=self._lead(message_id).pk, actor=actor, now=now)
        elif step == "return":
            s.return_assignment(
                assignment_id=self._lead(message_id).pk, actor=actor, reason="非本单位", now=now
            )
        elif step == "transfer":
            s.transfer_assignment(
                assignment_id=self._lead(message_id).pk, actor=actor, to_unit=unit, now=now
            )
        elif step == "invite":
            s.invite_co_units(
                assignment_id=self._lead(message_id).pk, actor=actor, units=[unit], now=now
            )
        elif step == "contribute":
            co = Assignment.objects.filter(message_id=message_id, kind="co").latest("pk")
            s.contribute(assignment_id=co.pk, actor=actor, body="协办意见", now=now)
        elif step == "request_extension":
            s.request_extension(
                assignment_id=self._lead(message_id).pk,
                actor=actor,
                reason="需要现场核查",
                days=pick(st.integers(1, 15), label="days"),
                now=now,
            )
        elif step in ("approve_extension", "deny_extension"):
            request = ExtensionRequest.objects.filter(
                assignment__message_id=message_id, status="pending"
            ).first()
            if request is None:
                raise ValidationError("no pending request")
            s.decide_extension(
                request_id=request.pk,
                actor=actor,
                approve=step == "approve_extension",
                now=now,
            )
        elif step == "draft":
            s.save_reply_draft(
                assignment_id=self._lead(message_id).pk, actor=actor, body="答复草稿", now=now
            )
        elif step == "submit_reply":
            s.submit_reply(
                assignment_id=self._lead(message_id).pk, actor=actor, body="经核查已处理", now=now
            )
        elif step == "sign_off":
            s.sign_off_reply(reply_id=self._reply(message_id).pk, actor=actor, now=now)
        elif step == "refuse_signoff":
            s.refuse_signoff(
                reply_id=self._reply(message_id).pk, actor=actor, reason="补充", now=now
            )
        elif step == "approve_reply":
            s.approve_reply(reply_id=self._reply(message_id).pk, actor=actor, now=now)
        elif step == "return_reply":
            s.return_reply(reply_id=self._reply(message_id).pk, actor=actor, reason="敷衍", now=now)
        elif step == "rate":
            score = st.integers(1, 5)
            s.rate_reply(
                message_id=message_id,
                actor=actor,
                solved=pick(st.booleans(), label="solved"),
                attitude=pick(score, label="attitude"),
                speed=pick(score, label="speed"),
                now=now,
            )
        elif step == "follow_up":
            s.follow_up(message_id=message_id, actor=actor, body="请问进展？", now=now)
        elif step == "thank":
            s.thank(message_id=message_id, actor=actor, body="谢谢！", now=now)
        elif step == "reopen":
            s.reopen_message(message_id=message_id, actor=actor, now=now)
        elif step == "close":
            s.close_message(message_id=message_id, actor=actor, now=now)
        elif step == "supervise":
            s.supervise(message_id=message_id, actor=actor, level="supervision", now=now)
        elif step == "instruct":
            s.instruct(message_id=message_id, actor=actor, body="请抓紧办理", now=now)
        else:  # pragma: no cover - a new step without a branch is a test bug
            raise AssertionError(step)


@pytest.fixture
def national_day_2026(world):
    """A real holiday with a weekend make-up day, so the clock has something to get wrong."""
    for day in range(1, 8):
        Holiday.objects.create(date=f"2026-10-0{day}", name="国庆节")
    Holiday.objects.create(date="2026-10-10", is_working_day=True, name="国庆节调休")
    forget_work_calendar()
    yield
    forget_work_calendar()


@pytest.mark.django_db
@pytest.mark.slow
def test_random_sequences_keep_every_invariant(world, national_day_2026):
    PERFORMED.clear()
    REACHED.clear()
    run_state_machine_as_test(
        lambda: LifecycleMachine(world),
        settings=settings(
            max_examples=30,
            stateful_step_count=60,
            deadline=None,
            # The same programs on every run: CI must not pass or fail on the luck of the draw.
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The runs must have gone down the main path to a published reply, and reached most states.
    main_path = {State.DISPATCHED, State.ACCEPTED, State.REPLY_REVIEW, State.REPLIED}
    assert main_path <= REACHED, sorted(REACHED)
    assert len(REACHED) >= 8, sorted(REACHED)
    assert len(PERFORMED) >= len(STEPS) // 2, sorted(PERFORMED)
