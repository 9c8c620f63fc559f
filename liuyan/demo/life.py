"""One message's life: what it is about, and the plot that takes it to its target state.

The message is composed first (author, channel, text, the unit a moderator would route it to);
`live()` then walks the steps (see `steps.py`) that lead to the target `schedule` chose, and
`finish()` hands the rows to the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from liuyan.board.models import (
    Assignment,
    FollowUp,
    Message,
    MessageContact,
    Thanks,
)
from liuyan.board.textrules import mask_personal_data
from liuyan.core.lifecycle import (
    Action,
    AssignmentState,
    Role,
    State,
    SupervisionLevel,
)

from .national import skewed_index
from .replies import ReplySteps
from .text import Draft
from .world import ALL, BoardInfo

if TYPE_CHECKING:
    from .simulator import Simulator

S = State
CHANNELS = ("web", "mobile", "hotline")
CHANNEL_CUM_WEIGHTS = tuple(accumulate((46, 40, 14)))


@dataclass(frozen=True)
class Original:
    """What a later duplicate needs to know about the message it repeats."""

    id: int
    serial: str
    board: BoardInfo
    region_id: int
    draft: Draft


class Life(ReplySteps):
    """One message from submission to its target state, appending rows as it goes."""

    def __init__(self, sim: Simulator, submitted_at: datetime, target: State):
        self.sim, self.rng, self.text, self.clock = sim, sim.rng, sim.text, sim.clock
        self.writer = sim.writer
        self.t = submitted_at
        self.target = target
        self.state: State | None = None
        self.seq = 0
        self.round = 1
        self.assignments: list[dict] = []
        self.lead: dict | None = None
        self.reply: dict | None = None
        self.perfunctory = False
        self.open_supervisions: list[dict] = []
        self.published_reply = ""
        self.id = self.writer.new_id(Message)
        self._compose(submitted_at)

    # --- the message itself ---------------------------------------------------------------

    def _compose(self, submitted_at: datetime) -> None:
        sim, rng = self.sim, self.rng
        self.original = sim.an_original() if self.target is S.DUPLICATE else None
        if self.target is S.DUPLICATE and self.original is None:
            self.target = S.REJECTED  # nothing earlier to be a duplicate of
        self.followed = None if self.original else sim.a_topic_to_follow(submitted_at)
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_CUM_WEIGHTS)[0]
        author = self._pick_author(channel)
        # Now and then a citizen writes their phone number into the text: masking has work.
        phone_in_body = author is not None and author.phone and rng.random() < 0.05
        self.draft = draft = self._write(author.phone if phone_in_body else "")
        self.author_id = author.id if author else None
        self.entered_by = rng.choice(sim.world.operators) if channel == "hotline" else None
        self._add_contact(author)
        self.urgent = rng.random() < 0.03
        is_public = rng.random() >= 0.15
        self.message = {
            "id": self.id,
            "serial": sim.serial(submitted_at),
            "author_id": self.author_id,
            "entered_by_id": self.entered_by,
            "board_id": self.board.id,
            "region_id": self.region_id,
            "domain_id": self._domain_id(draft),
            "type": draft.problem.type,
            "channel": channel,
            "title": draft.title,
            "body": draft.body,
            "public_title": draft.title,
            # Only a body we wrote a phone number into has personal data to mask.
            "public_body": mask_personal_data(draft.body) if phone_in_body else draft.body,
            "place": draft.place,
            "is_public": is_public,
            "is_urgent": self.urgent,
            "likes": min(int(rng.paretovariate(1.3)) - 1, 500) if is_public else 0,
            "submitted_at": submitted_at,
        }
        self.lead_unit, self.transfer_unit = sim.route(self.board, self.region_id, draft.domain)

    def _pick_author(self, channel: str):
        citizens = self.sim.world.citizens
        if self.sim.world.skewed:  # a few citizens write again and again, most once or twice
            citizen = citizens[skewed_index(self.rng.random(), len(citizens))]
        else:
            citizen = self.rng.choice(citizens)
        if channel != "hotline" or self.target in (S.REVIEW, S.REOPENED):
            return citizen
        # Half the callers have no account; nobody can rate their reply online.
        return citizen if self.rng.random() < 0.5 else None

    def _write(self, phone: str) -> Draft:
        sim = self.sim
        # A duplicate repeats its original; a follower writes about the same problem and place.
        earlier = self.original or self.followed
        if earlier is not None:
            self.board, self.region_id = earlier.board, earlier.region_id
            return sim.text.draft(
                county=earlier.draft.county,
                domain=earlier.draft.domain,
                problem=earlier.draft.problem,
                place=earlier.draft.place,
                salutation=self.board.salutation,
                contact_phone=phone if self.original is None else "",
            )
        self.board = sim.pick_board()
        self.region_id = sim.pick_region(self.board)
        domains = [d for d in self.board.domains if d != ALL]
        return sim.text.draft(
            county=sim.world.regions[self.region_id].name,
            domain=self.rng.choice(domains) if domains else None,
            salutation=self.board.salutation,
            contact_phone=phone,
        )

    def _add_contact(self, author) -> None:
        if author is not None:
            name, phone = author.real_name, author.phone or ""
        else:
            name, phone = self.sim.new_caller()
        self.writer.add(MessageContact, {"message_id": self.id, "name": name, "phone": phone})

    def _domain_id(self, draft: Draft) -> int | None:
        world = self.sim.world
        return world.sub_domains.get(
            (draft.domain, draft.problem.topic), world.top_domains.get(draft.domain)
        )

    def finish(self) -> State:
        """Hand the rows to the writer; the message's final state, for the tally."""
        state = self.state
        assert state is not None, "live() submits the message first"
        message = self.message
        message["state"] = state.value
        message["round"] = self.round
        message["updated_at"] = self.t
        # What board.services would have indexed: the public text and the last published reply.
        message["search_text"] = self.sim.search_text(
            " ".join((message["public_title"], message["public_body"], self.published_reply))
        )
        self.writer.add(Message, message)
        for assignment in self.assignments:
            self.writer.add(Assignment, assignment)
        if self.state not in (S.REJECTED, S.DUPLICATE) and self.original is None:
            self.sim.remember(
                Original(self.id, message["serial"], self.board, self.region_id, self.draft),
                submitted_at=message["submitted_at"],
                follower=self.followed is not None,
            )
        return state

    # --- the plot ---------------------------------------------------------------------------

    def live(self) -> None:
        self.submit()
        if self.target is S.SUBMITTED:
            if self.rng.random() < 0.3:
                self.screen()
            return
        self.screen()
        if self.target is S.REJECTED:
            return self.reject()
        if self.target is S.DUPLICATE:
            return self.mark_duplicate()
        self.route_to_unit()
        if self.target is S.DISPATCHED:
            return
        self.take_on()
        if self.target is S.ACCEPTED:
            return self.keep_working()
        self.work_and_reply()
        if self.target is S.REPLY_REVIEW:
            return
        self.review_reply()
        if self.target is S.REPLIED:
            return self.maybe_follow_up(0.1)
        self.after_reply()

    def route_to_unit(self) -> None:
        lead, domain = self.lead_unit, self.draft.domain
        detour = self.rng.random()
        if detour < 0.05 and (wrong := self.sim.misroute(lead, domain)):
            self.dispatch(wrong)
            self.give_back()
        elif detour < 0.08 and (wrong := self.sim.misroute(lead, domain)):
            self.dispatch(wrong)
        co = self.sim.misroute(lead, domain) if self.rng.random() < 0.03 else None
        self.dispatch(lead, co=co)
        if self.rng.random() < 0.02:
            self.instruct()
        # Most transfers happen before the upper unit accepts; a few messages wait at the sub-unit.
        chance = 0.15 if self.target is S.DISPATCHED else 0.7
        if self.transfer_unit is not None and self.rng.random() < chance:
            self.transfer(self.transfer_unit)

    def take_on(self) -> None:
        self.accept(late=self.rng.random() < 0.05)
        for assignment in self.assignments:
            if assignment["kind"] == "co" and assignment["state"] == AssignmentState.PENDING.value:
                self.contribute(assignment)
        if self.rng.random() < 0.06 and (
            other := self.sim.misroute(self.unit(), self.draft.domain)
        ):
            self.contribute(self.invite_co(other))
        if self.rng.random() < 0.07:
            self.ask_for_more_time()

    def keep_working(self) -> None:
        """Still being handled: perhaps a draft on the desk, perhaps chased for being late."""
        if self.rng.random() < 0.25:
            self.draft_reply()
        lead = self.lead_now()
        if lead["reply_by"] < self.sim.now and self.rng.random() < 0.5:
            self.remind_after(lead["reply_by"])
            if self.rng.random() < 0.2 and (
                leader := self.sim.leader_for(self.board, self.region_id)
            ):
                self.wait(24, 200)
                self.supervise(SupervisionLevel.LISTED, Role.LEADER, leader, days=10)

    def work_and_reply(self) -> None:
        if self.target is S.REPLIED:
            self.catch_up(days=(2, 12))
        elif self.target is S.REPLY_REVIEW:
            self.catch_up(days=(0.5, 3))
        self.draft_reply()
        self.send_reply()

    def catch_up(self, *, days: tuple[float, float]) -> None:
        """Handling dragged on: the reply comes only lately, after a reminder if it was due."""
        start = self.sim.now - timedelta(seconds=int(self.rng.uniform(*days) * 86400))
        if start <= self.t:
            return
        lead = self.lead_now()
        if lead["reply_by"] < start:
            self.remind_after(lead["reply_by"])
        self.t = max(self.t, start)

    def after_reply(self) -> None:
        rng, target = self.rng, self.target
        if target in (S.REVIEW, S.REOPENED):
            self.rate(satisfied=False)
            if target is S.REOPENED:
                return self.reopen()
            return self.maybe_follow_up(0.3)
        self.close_round(allow_second_round=rng.random() < 0.06)

    def close_round(self, *, allow_second_round: bool) -> None:
        rng = self.rng
        if self.author_id is None:
            return (
                self.close()
                if rng.random() < 0.7 or not self._can_auto_close()
                else self.auto_close()
            )
        unhappy = rng.random() < (0.6 if self.perfunctory else 0.1)
        if unhappy or allow_second_round:
            self.rate(satisfied=False)
            self.maybe_follow_up(0.3)
            if allow_second_round:
                return self.second_round()
            return self.close()
        if rng.random() < 0.55 or not self._can_auto_close():
            self.rate(satisfied=True)
            if rng.random() < 0.25:
                self.post(
                    Thanks,
                    Action.THANK,
                    self.text.thanks(unit=self._last_unit_name(), problem=self.draft.problem),
                )
        else:
            self.auto_close()
        self.maybe_follow_up(0.03)

    def second_round(self) -> None:
        self.reopen()
        self.accept()
        self.draft_reply()
        self.send_reply()
        self.review_reply()
        self.close_round(allow_second_round=False)

    def _can_auto_close(self) -> bool:
        return self.message["rate_by"] + timedelta(hours=1) < self.sim.now

    def _last_unit_name(self) -> str:
        return self.sim.world.units[self.assignments[-1]["unit_id"]].name

    def maybe_follow_up(self, chance: float) -> None:
        if self.author_id is not None and self.rng.random() < chance:
            self.post(FollowUp, Action.FOLLOW_UP, self.text.follow_up(self.draft.problem))
