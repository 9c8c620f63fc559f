"""What each person in a simulated message's life does: one method per lifecycle action.

Every step asks `liuyan.core.lifecycle.transition()` (through `_checked_step`) and appends its
Event; deadlines come from the working-day `Clock`, as in `board.services`. `Life` (in
`life.py`) decides which steps a message takes; this module only knows how each one is done.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING

from liuyan.board.models import (
    Assignment,
    Contribution,
    Event,
    ExtensionRequest,
    Instruction,
    Supervision,
)
from liuyan.core.clock import Clock
from liuyan.core.lifecycle import (
    Action,
    AssignmentKind,
    AssignmentState,
    RejectReason,
    Role,
    State,
    SupervisionLevel,
    transition,
)

from .bulk import Writer
from .text import Draft, TextGenerator
from .world import BoardInfo, UnitInfo

if TYPE_CHECKING:
    from .life import Original
    from .simulator import Simulator

S = State
ROLE_SETS = {role: frozenset({role}) for role in Role}
# Enum .value goes through a descriptor; a dict is several times faster in the hot loop.
VALUES: dict = {member: member.value for enum in (Role, Action, State) for member in enum}
VALUES[None] = ""
ONE_SECOND = timedelta(seconds=1)
# The order in which Life.step hands over an Event's values; checked against the model.
EVENT_COLUMNS = [
    "message_id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "from_state",
    "to_state",
    "assignment_id",
    "unit_id",
    "note",
    "is_public",
]
REJECT_REASONS = (
    RejectReason.NOT_ACTIONABLE,
    RejectReason.OUTSIDE_REMIT,
    RejectReason.SPAM,
    RejectReason.ABUSIVE,
    RejectReason.OTHER,
)
REJECT_CUM_WEIGHTS = tuple(accumulate((40, 25, 15, 10, 10)))


@cache
def _checked_step(
    state: State | None, action: Action, role: Role
) -> tuple[str, str, str, str, State | None]:
    """transition() for one role, with the Event's text values. The rules are pure functions
    of these three, so each allowed combination is checked once per process; a refused one
    raises every time (lru_cache keeps no exceptions)."""
    change = transition(state, action, ROLE_SETS[role])
    return (
        VALUES[role],
        VALUES[action],
        VALUES[change.from_state],
        VALUES[change.to_state],
        change.to_state,
    )


class Steps:
    """The actions of a message's life, on the state `Life` keeps (declared here)."""

    sim: Simulator
    rng: random.Random
    text: TextGenerator
    clock: Clock
    writer: Writer
    t: datetime
    target: State
    state: State | None
    seq: int
    round: int
    assignments: list[dict]
    lead: dict | None
    reply: dict | None
    perfunctory: bool
    open_supervisions: list[dict]
    published_reply: str
    id: int
    message: dict
    draft: Draft
    author_id: int | None
    entered_by: int | None
    original: Original | None
    board: BoardInfo
    region_id: int
    urgent: bool

    def lead_now(self) -> dict:
        """The lead assignment, for the steps that only come after dispatch() has set it."""
        lead = self.lead
        assert lead is not None, "a step of the lead unit before the message was dispatched"
        return lead

    def reply_now(self) -> dict:
        """The reply, for the steps that only come after draft_reply() has written it."""
        reply = self.reply
        assert reply is not None, "a step on the reply before it was drafted"
        return reply

    # --- steps ----------------------------------------------------------------------------

    def step(
        self,
        action: Action,
        role: Role,
        actor: int | None,
        *,
        assignment: dict | None = None,
        unit_id: int | None = None,
        note: str = "",
        public: bool = True,
    ) -> None:
        """Take one step, checked by the lifecycle rules, and append it to the timeline."""
        role_value, action_value, from_value, to_value, to_state = _checked_step(
            self.state, action, role
        )
        self.seq += 1
        # Events are most of the rows and never change once written: straight to values, in
        # EVENT_COLUMNS order, rather than a dict to convert later.
        self.writer.add_values(
            Event,
            (
                self.id,
                self.seq,
                self.writer.adapt(self.t),
                actor,
                role_value,
                action_value,
                from_value,
                to_value,
                assignment["id"] if assignment else None,
                unit_id or (assignment["unit_id"] if assignment else None),
                note,
                public,
            ),
        )
        self.state = to_state

    def wait(self, low_hours: float, high_hours: float, *, office: bool = True) -> None:
        self.t = self.sim.later(self.t, low_hours, high_hours, office=office)

    def moderator(self) -> int:
        return self.rng.choice(self.sim.world.moderators)

    def unit(self, assignment: dict | None = None) -> UnitInfo:
        return self.sim.world.units[(assignment or self.lead_now())["unit_id"]]

    def handler(self, assignment: dict | None = None) -> int:
        return self.rng.choice(self.unit(assignment).handlers)

    def head(self) -> int:
        return self.rng.choice(self.unit().heads)

    def submit(self) -> None:
        if self.entered_by is not None:
            self.step(Action.SUBMIT, Role.OPERATOR, self.entered_by)
        else:
            self.step(Action.SUBMIT, Role.AUTHOR, self.author_id)
        self.message["screen_by"] = self.clock.screen_by(self.t)

    def screen(self) -> None:
        self.wait(0.3, 20)
        self.step(Action.SCREEN, Role.MODERATOR, self.moderator(), public=False)
        self.message["screened_at"] = self.t

    def reject(self) -> None:
        reason = self.rng.choices(REJECT_REASONS, cum_weights=REJECT_CUM_WEIGHTS)[0]
        self.wait(0.2, 4)
        note = self.text.reject_note(reason.value)
        self.step(Action.REJECT, Role.MODERATOR, self.moderator(), note=note)
        self.message.update(reject_reason=reason.value, reject_note=note, closed_at=self.t)

    def mark_duplicate(self) -> None:
        self.wait(0.2, 4)
        original = self.original
        assert original is not None, "Life marks a duplicate only when it found an original"
        self.step(Action.MARK_DUPLICATE, Role.MODERATOR, self.moderator(), note=original.serial)
        self.message.update(
            duplicate_of_id=original.id,
            reject_reason=RejectReason.DUPLICATE.value,
            closed_at=self.t,
        )

    def new_assignment(
        self,
        unit: UnitInfo,
        *,
        kind: AssignmentKind = AssignmentKind.LEAD,
        parent: dict | None = None,
    ) -> dict:
        assignment = {
            "id": self.writer.new_id(Assignment),
            "message_id": self.id,
            "board_id": self.message["board_id"],
            "unit_id": unit.id,
            "kind": kind.value,
            "parent_id": parent["id"] if parent else None,
            "round": self.round,
            "state": AssignmentState.PENDING.value,
            "created_at": self.t,
            "accept_by": self.clock.accept_by(self.t, urgent=self.urgent),
        }
        self.assignments.append(assignment)
        return assignment

    def end(self, assignment: dict, state: AssignmentState) -> None:
        assignment["state"] = state.value
        assignment["finished_at"] = self.t

    def cancel_active(self) -> None:
        for assignment in self.assignments:
            if assignment["state"] in (
                AssignmentState.PENDING.value,
                AssignmentState.ACCEPTED.value,
            ):
                self.end(assignment, AssignmentState.CANCELLED)

    def dispatch(self, unit: UnitInfo, *, co: UnitInfo | None = None) -> None:
        self.wait(0.1, 6)
        action = Action.DISPATCH if self.state is S.SUBMITTED else Action.REDISPATCH
        if action is Action.REDISPATCH:
            self.cancel_active()
        self.lead = self.new_assignment(unit)
        if co is not None:
            self.new_assignment(co, kind=AssignmentKind.CO)
        self.step(action, Role.MODERATOR, self.moderator(), assignment=self.lead)
        self.message["dispatched_at"] = self.t

    def give_back(self) -> None:
        """The unit returns a message that is not theirs (退回)."""
        self.wait(2, 40)
        lead = self.lead_now()
        note = self.text.return_note(unit=self.unit().name)
        self.end(lead, AssignmentState.RETURNED)
        lead["note"] = note
        self.cancel_active()
        self.step(Action.RETURN, Role.HANDLER, self.handler(lead), assignment=lead, note=note)
        self.message["screen_by"] = self.clock.screen_by(self.t)
        self.lead = None

    def transfer(self, to: UnitInfo) -> None:
        self.wait(1, 30)
        parent = self.lead_now()
        actor = self.handler(parent)
        self.end(parent, AssignmentState.TRANSFERRED)
        self.lead = self.new_assignment(to, parent=parent)
        self.step(
            Action.TRANSFER,
            Role.HANDLER,
            actor,
            assignment=self.lead,
            note=self.text.transfer_note(unit=to.name),
        )

    def accept(self, *, late: bool = False) -> None:
        lead = self.lead_now()
        if late and lead["accept_by"] < self.sim.now - timedelta(days=2):
            self.remind_after(lead["accept_by"])
            self.wait(4, 48)
        else:
            self.wait(0.5, 50)
        lead["state"] = AssignmentState.ACCEPTED.value
        lead["accepted_at"] = self.t
        lead["reply_by"] = self.clock.reply_by(self.t, urgent=self.urgent)
        self.step(Action.ACCEPT, Role.HANDLER, self.handler(), assignment=lead)

    def remind_after(self, deadline: datetime) -> None:
        """A moderator chases a unit that let a deadline pass (催办)."""
        if self.t < deadline:
            self.t = deadline
        self.wait(1, 30)
        self.supervise(SupervisionLevel.REMINDER, Role.MODERATOR, self.moderator(), days=2)

    def supervise(self, level: SupervisionLevel, role: Role, actor: int, *, days: int = 5) -> None:
        note = self.text.supervision_note(unit=self.unit().name if self.lead else "承办单位")
        supervision = {
            "message_id": self.id,
            "level": level.value,
            "ordered_by_id": actor,
            "note": note,
            "due_at": self.clock.calendar.add_working_days(self.t, days),
            "created_at": self.t,
        }
        self.writer.add(Supervision, supervision)
        self.open_supervisions.append(supervision)
        self.step(Action.SUPERVISE, role, actor, note=note, public=False)

    def instruct(self) -> None:
        leader = self.sim.leader_for(self.board, self.region_id)
        if leader is None:
            return
        self.wait(2, 72)
        body = self.text.instruction(unit=self.unit().name if self.lead else "有关部门")
        public = self.rng.random() < 0.3
        self.writer.add(
            Instruction,
            {
                "message_id": self.id,
                "author_id": leader,
                "body": body,
                "is_public": public,
                "created_at": self.t,
            },
        )
        self.step(Action.INSTRUCT, Role.LEADER, leader, note=body, public=public)

    def invite_co(self, unit: UnitInfo) -> dict:
        self.wait(2, 48)
        lead = self.lead_now()
        co = self.new_assignment(unit, kind=AssignmentKind.CO)
        co["reply_by"] = lead["reply_by"]
        self.step(Action.INVITE_CO, Role.HANDLER, self.handler(), assignment=lead, note=unit.name)
        return co

    def contribute(self, co: dict) -> None:
        self.wait(8, 120)
        actor = self.handler(co)
        body = self.text.contribution(unit=self.unit(co).name, problem=self.draft.problem)
        self.writer.add(
            Contribution,
            {"assignment_id": co["id"], "author_id": actor, "body": body, "created_at": self.t},
        )
        self.end(co, AssignmentState.CONTRIBUTED)
        self.step(Action.CONTRIBUTE, Role.HANDLER, actor, assignment=co, public=False)

    def ask_for_more_time(self) -> None:
        self.wait(24, 200)
        lead = self.lead_now()
        reason = self.text.extension_reason()
        days = self.rng.choice((5, 10, self.clock.rules.extension_days))
        actor = self.handler()
        request = {
            "assignment_id": lead["id"],
            "requested_by_id": actor,
            "reason": reason,
            "days": days,
            "status": "pending",
            "created_at": self.t,
        }
        self.writer.add(ExtensionRequest, request)
        self.step(
            Action.REQUEST_EXTENSION,
            Role.HANDLER,
            actor,
            assignment=lead,
            note=reason,
            public=False,
        )
        if self.target is S.ACCEPTED and self.rng.random() < 0.3:
            return  # still waiting for the moderators' decision
        self.wait(1, 30)
        approve = self.rng.random() < 0.8
        moderator = self.moderator()
        if approve:
            lead["reply_by"] = self.clock.extend(lead["reply_by"], days)
        request.update(
            status="approved" if approve else "denied", decided_by_id=moderator, decided_at=self.t
        )
        action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
        self.step(action, Role.MODERATOR, moderator, assignment=lead)
