"""The steps after a unit has done its work: the reply, its review, and the citizen's answer.

Drafting, sign-off, moderator review and publication of a reply; the rating, closing,
reopening and the citizen's later posts. The steps before them are in `steps.py`.
"""

from __future__ import annotations

from datetime import timedelta

from liuyan.board.models import (
    Evaluation,
    Reply,
)
from liuyan.core.lifecycle import (
    Action,
    AssignmentState,
    ReplyState,
    Role,
)

from .schedule import CST
from .steps import ONE_SECOND, Steps
from .world import UnitInfo


class ReplySteps(Steps):
    """Replies and what follows them, on the state `Life` keeps."""

    def draft_reply(self) -> None:
        self.wait(10, 220)
        self.perfunctory = self.rng.random() < 0.1
        unit, actor = self.unit(), self.handler()
        body = self.text.perfunctory_reply() if self.perfunctory else self._reply_text(unit)
        if self.reply is not None and self.reply["state"] == ReplyState.RETURNED.value:
            self.reply.update(body=body, author_id=actor)  # revising is not a new step
            return
        self.reply = {
            "message_id": self.id,
            "assignment_id": self.lead_now()["id"],
            "unit_id": unit.id,
            "author_id": actor,
            "round": self.round,
            "body": body,
            "state": ReplyState.DRAFT.value,
            "created_at": self.t,
        }
        self.writer.add(Reply, self.reply)
        self.step(Action.DRAFT_REPLY, Role.HANDLER, actor, assignment=self.lead, public=False)

    def _reply_text(self, unit: UnitInfo) -> str:
        author = f"{self._nickname()}网友" if self.author_id else "来电群众"
        return self.text.reply(
            draft_title=self.draft.title,
            problem=self.draft.problem,
            domain=self.draft.domain,
            unit=unit.name,
            author=author,
            on=(self.t + CST).date(),
        )

    def _nickname(self) -> str:
        if self.author_id is None:  # a caller without an account has no nickname
            return "您好"
        return self.sim.nicknames.get(self.author_id) or "您好"

    def revise(self) -> None:
        """After a refusal or a return the handler rewrites the reply properly."""
        self.wait(4, 72)
        self.perfunctory = False
        self.reply_now().update(body=self._reply_text(self.unit()), author_id=self.handler())

    def send_reply(self) -> None:
        """Submit the draft: through the head first where the unit wants that."""
        self.wait(0.5, 24)
        reply, lead = self.reply_now(), self.lead
        reply["submitted_at"] = self.t
        if not self.unit().needs_signoff:
            reply["state"] = ReplyState.UNDER_REVIEW.value
            self.step(Action.SUBMIT_REPLY, Role.HANDLER, reply["author_id"], assignment=lead)
            return
        reply["state"] = ReplyState.AWAITING_SIGNOFF.value
        self.step(
            Action.SUBMIT_FOR_SIGNOFF,
            Role.HANDLER,
            reply["author_id"],
            assignment=lead,
            public=False,
        )
        self.wait(1, 48)
        head = self.head()
        if self.perfunctory or self.rng.random() < 0.1:
            reason = self.text.signoff_refusal()
            reply.update(state=ReplyState.RETURNED.value, return_reason=reason)
            self.step(
                Action.REFUSE_SIGNOFF, Role.HEAD, head, assignment=lead, note=reason, public=False
            )
            self.revise()
            self.wait(0.5, 8)
            reply.update(state=ReplyState.AWAITING_SIGNOFF.value, submitted_at=self.t)
            self.step(
                Action.SUBMIT_FOR_SIGNOFF,
                Role.HANDLER,
                reply["author_id"],
                assignment=lead,
                public=False,
            )
            self.wait(1, 24)
        reply.update(
            state=ReplyState.UNDER_REVIEW.value, signed_off_by_id=head, signed_off_at=self.t
        )
        self.step(Action.SIGN_OFF, Role.HEAD, head, assignment=lead)

    def review_reply(self) -> None:
        """Moderators publish the reply, or send a perfunctory one back (退回重办) first."""
        if (self.perfunctory and self.rng.random() < 0.7) or self.rng.random() < 0.03:
            self.wait(1, 30)
            reason = self.text.return_reply_reason()
            moderator = self.moderator()
            self.reply_now().update(
                state=ReplyState.RETURNED.value, return_reason=reason, reviewed_by_id=moderator
            )
            self.step(
                Action.RETURN_REPLY,
                Role.MODERATOR,
                moderator,
                assignment=self.lead,
                note=reason,
                public=False,
            )
            self.revise()
            self.send_reply()
        self.wait(1, 40)
        self.publish()

    def publish(self) -> None:
        moderator = self.moderator()
        reply, lead = self.reply_now(), self.lead_now()
        reply.update(
            state=ReplyState.PUBLISHED.value, published_at=self.t, reviewed_by_id=moderator
        )
        self.end(lead, AssignmentState.DONE)
        self.cancel_active()
        for supervision in self.open_supervisions:
            supervision["resolved_at"] = self.t
        self.open_supervisions = []
        self.message.update(replied_at=self.t, rate_by=self.clock.rules.rating_deadline(self.t))
        self.published_reply = reply["body"]
        self.step(Action.APPROVE_REPLY, Role.MODERATOR, moderator, assignment=lead)
        self.lead = None

    def rate(self, *, satisfied: bool) -> None:
        self.t = min(self.sim.later(self.t, 2, 300, office=False), self.message["rate_by"])
        solved, attitude, speed = self._scores(satisfied)
        self.writer.add(
            Evaluation,
            {
                "message_id": self.id,
                "board_id": self.message["board_id"],
                "round": self.round,
                "solved": solved,
                "attitude": attitude,
                "speed": speed,
                "comment": self.text.evaluation_comment(satisfied=satisfied),
                "created_at": self.t,
            },
        )
        action = Action.RATE_SATISFIED if satisfied else Action.RATE_UNSATISFIED
        self.step(action, Role.AUTHOR, self.author_id)
        if satisfied:
            self.message["closed_at"] = self.t

    def _scores(self, satisfied: bool) -> tuple[bool, int, int]:
        r = self.rng
        if satisfied:
            return True, r.choice((3, 4, 5, 5, 5)), r.choice((3, 4, 4, 5, 5))
        solved = r.random() < 0.2
        return (
            solved,
            r.choice((1, 2, 3) if solved else (1, 2, 3, 4)),
            r.choice((1, 2) if solved else (1, 2, 3, 4)),
        )

    def auto_close(self) -> None:
        """`liuyan tick` closes the message soon after the rating window ends."""
        self.t = max(
            self.message["rate_by"] + timedelta(minutes=self.rng.randint(1, 60)),
            self.t + ONE_SECOND,
        )
        self.step(Action.AUTO_CLOSE, Role.SYSTEM, None)
        self.message["closed_at"] = self.t

    def close(self) -> None:
        self.wait(4, 120)
        self.step(Action.CLOSE, Role.MODERATOR, self.moderator(), note=self.text.close_note())
        self.message["closed_at"] = self.t

    def reopen(self) -> None:
        self.wait(4, 96)
        last = next(
            a
            for a in reversed(self.assignments)
            if a["state"] == AssignmentState.DONE.value and a["kind"] == "lead"
        )
        self.round += 1
        self.lead = self.new_assignment(self.sim.world.units[last["unit_id"]])
        self.reply = None
        self.step(
            Action.REOPEN,
            Role.MODERATOR,
            self.moderator(),
            assignment=self.lead,
            note="群众不满意，启动二次办理。",
        )
        self.message.update(dispatched_at=self.t, rate_by=None, replied_at=None)

    def post(self, model, action: Action, body: str) -> None:
        self.wait(3, 200, office=False)
        self.writer.add(
            model,
            {
                "message_id": self.id,
                "author_id": self.author_id,
                "body": body,
                "public_body": body,
                "created_at": self.t,
            },
        )
        self.step(action, Role.AUTHOR, self.author_id)
