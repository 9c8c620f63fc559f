"""Random histories through the real lifecycle services; after every step each roll-up row
equals a recount from the messages.

The machine is the lifecycle's own (tests/board/test_lifecycle_stateful.py), with one more
rule: a moderator screens a message into another type and domain, so counts must move between
slices. The recount reads the messages afresh (facts_for over every message, summed), and a few
figures are also counted straight from the board's tables, independently of `measures`.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from liuyan.board import services as s
from liuyan.board.models import FollowUp, Message, Reply, Supervision
from liuyan.core.lifecycle import LifecycleError
from liuyan.directory.models import Domain
from liuyan.reports.figures.facts import facts_for
from liuyan.reports.figures.measures import MEASURES, total_contribution
from liuyan.reports.models import Figure
from tests.board.test_lifecycle_stateful import PERFORMED, REACHED, LifecycleMachine


def _stored_rows() -> dict:
    rows = {}
    for figure in Figure.objects.all():
        counts = {m: getattr(figure, m) for m in MEASURES if getattr(figure, m)}
        if counts:
            rows[(figure.public, figure.kind, figure.key, figure.period, figure.start)] = counts
    return rows


def _recounted_rows() -> dict:
    facts = facts_for(Message.objects.values_list("pk", flat=True)).values()
    rows = total_contribution(facts)
    return {key: {m: v for m, v in counts.items() if v} for key, counts in rows.items()}


def _total(kind: str, key: str, measure: str, *, public: bool | None = None) -> int:
    rows = Figure.objects.filter(kind=kind, key=key, period="y")
    if public is not None:
        rows = rows.filter(public=public)
    return sum(getattr(row, measure) for row in rows)


class FiguresMachine(LifecycleMachine):
    def __init__(self, world, domains):
        super().__init__(world)
        self.domains = domains

    def _attempt(self, step, message_id, actor, data):
        """Check after every single step, not only after each rule: the `progress` rule takes
        a burst of steps, and a later step would hide an earlier one that was not counted."""
        super()._attempt(step, message_id, actor, data)
        self.every_rollup_equals_a_recount()

    @rule(data=st.data())
    def reclassify(self, data):
        """Screening corrects the type and domain: the message's counts change slice."""
        if not self.message_ids:
            return
        message_id = data.draw(st.sampled_from(self.message_ids), label="message")
        try:
            s.screen_message(
                message_id=message_id,
                actor=self.w.moderator,
                type=data.draw(st.sampled_from(["help", "consultation", "complaint"])),
                domain=data.draw(st.sampled_from(self.domains)),
                now=self.now,
            )
        except (LifecycleError, ValidationError):
            pass
        else:
            PERFORMED.add("reclassify")

    @rule(data=st.data())
    def citizen_answers(self, data):
        """The author of a replied message rates it and asks again: the figures' late steps."""
        replied = list(
            Message.objects.filter(pk__in=self.message_ids, state="replied").exclude(author=None)
        )
        if not replied:
            return
        message = data.draw(st.sampled_from(replied), label="replied")
        score = st.integers(1, 5)
        s.rate_reply(
            message_id=message.pk,
            actor=message.author,
            solved=data.draw(st.booleans(), label="solved"),
            attitude=data.draw(score, label="attitude"),
            speed=data.draw(score, label="speed"),
            now=self.now,
        )
        s.follow_up(message_id=message.pk, actor=message.author, body="请问进展？", now=self.now)
        PERFORMED.update({"rate", "follow_up"})

    @invariant()
    def every_rollup_equals_a_recount(self):
        stored, recounted = _stored_rows(), _recounted_rows()
        assert stored.keys() == recounted.keys(), stored.keys() ^ recounted.keys()
        for key, counts in recounted.items():
            assert stored[key] == counts, (key, stored[key], counts)

    @invariant()
    def headline_figures_match_the_board_tables(self):
        messages = Message.objects.all()
        assert _total("all", "", "received") == messages.count()
        assert _total("board", str(self.w.board.pk), "received") == messages.count()
        public = messages.filter(is_public=True, state__in=_public_states()).count()
        assert _total("all", "", "received", public=True) == public
        replied = Reply.objects.filter(state="published").values("message_id").distinct().count()
        assert _total("all", "", "replied") == replied
        assert _total("all", "", "published") == replied
        assert _total("all", "", "follow_ups") == FollowUp.objects.count()
        assert _total("all", "", "supervisions") == Supervision.objects.count()
        for type_ in ("complaint", "help", "consultation"):
            assert _total("type", type_, "received") == messages.filter(type=type_).count()
        # The annual report's replies by level: the level of the unit of each first reply.
        first_level: dict[int, int] = {}
        for message_id, level in (
            Reply.objects.filter(state="published")
            .order_by("-published_at", "-id")
            .values_list("message_id", "unit__region__level")
        ):
            first_level[message_id] = level
        for level in (1, 2, 3):
            expected = sum(1 for v in first_level.values() if v == level)
            assert _total("rlevel", str(level), "published") == expected
            region = self.w.board.region_id
            assert (
                _total("rglevel", f"{region}:{level}", "received")
                == messages.filter(board__region__level=level).count()
            )


def _public_states():
    from liuyan.board.access import PUBLIC_STATES

    return PUBLIC_STATES


@pytest.fixture
def domains(world):
    top = Domain.objects.create(name="城乡建设", level=1)
    leaf = Domain.objects.create(name="物业管理", level=2, parent=top)
    other = Domain.objects.create(name="交通运输", level=1)
    return [leaf, other, top]


@pytest.mark.django_db
@pytest.mark.slow
def test_rollups_equal_a_recount_after_every_step(world, domains):
    PERFORMED.clear()
    REACHED.clear()
    run_state_machine_as_test(
        lambda: FiguresMachine(world, domains),
        settings=settings(
            max_examples=10,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    assert {"approve_reply", "rate", "reclassify", "follow_up"} <= PERFORMED, sorted(PERFORMED)
    assert len(REACHED) >= 7, sorted(REACHED)
