"""Simulated lives of messages, step by step, under the same rules as the live service.

Every step asks `liuyan.core.lifecycle.transition()` and every deadline comes from the
working-day `Clock`, exactly as `board.services` does, so the demo history is one the real
service could have written. The difference is speed: rows are collected as plain dicts and
written in bulk (see `bulk.py`) instead of one transaction per step.

Each message first gets a target state that fits its age (old messages are mostly closed, recent
ones still in progress); its life then walks towards that state. A step never lands in the
future: when the natural pace would overshoot "now", the remaining steps are squeezed into the
time that is left.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from itertools import accumulate
from math import inf

from django.db.models import Max
from django.db.models.functions import Substr

from liuyan.board.models import (
    Assignment,
    Contribution,
    Evaluation,
    Event,
    ExtensionRequest,
    FollowUp,
    Instruction,
    Message,
    MessageContact,
    Reply,
    Supervision,
    Thanks,
)
from liuyan.board.textrules import mask_personal_data
from liuyan.core.clock import Clock, ClockRules, WorkCalendar
from liuyan.core.lifecycle import (
    Action,
    AssignmentKind,
    AssignmentState,
    RejectReason,
    ReplyState,
    Role,
    State,
    SupervisionLevel,
    transition,
)
from liuyan.insight.text import RepeatedTextSegmenter

from .bulk import Writer
from .text import Draft, TextGenerator
from .world import ALL, BoardInfo, UnitInfo, World

# Parents before children, so that each executemany only points at rows already written.
MODELS = (
    Message,
    MessageContact,
    Assignment,
    Reply,
    Contribution,
    Evaluation,
    FollowUp,
    Thanks,
    ExtensionRequest,
    Supervision,
    Instruction,
    Event,
)
S = State
ROLE_SETS = {role: frozenset({role}) for role in Role}
# Enum .value goes through a descriptor; a dict is several times faster in the hot loop.
VALUES: dict = {member: member.value for enum in (Role, Action, State) for member in enum}
VALUES[None] = ""
# Asia/Shanghai has kept UTC+8 all year since 1991; a fixed offset is much cheaper than zoneinfo
# for the millions of office-hour checks a load test makes.
CST = timedelta(hours=8)
CST_SECONDS = 8 * 3600
OPENING = time(8, 30)
OPENING_MINUTE = OPENING.hour * 60 + OPENING.minute
CLOSING_HOUR = 18
# Ages (days) at which one message of each state is placed, so that every state is shown even
# in a small world.
SHOWCASE_AGES = {
    S.SUBMITTED: 0.1,
    S.DISPATCHED: 1.2,
    S.ACCEPTED: 6,
    S.REPLIED: 8,
    S.REPLY_REVIEW: 11,
    S.REVIEW: 26,
    S.REOPENED: 38,
    S.REJECTED: 45,
    S.DUPLICATE: 55,
    S.CLOSED: 100,
}
# Hours of the day citizens write at (Shanghai time): evenings are busy, nights quiet.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 6, 7, 8, 8, 8, 7, 7, 8, 9, 8, 5, 2)
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
CHANNELS = ("web", "mobile", "hotline")
CHANNEL_CUM_WEIGHTS = tuple(accumulate((46, 40, 14)))
REJECT_REASONS = (
    RejectReason.NOT_ACTIONABLE,
    RejectReason.OUTSIDE_REMIT,
    RejectReason.SPAM,
    RejectReason.ABUSIVE,
    RejectReason.OTHER,
)
REJECT_CUM_WEIGHTS = tuple(accumulate((40, 25, 15, 10, 10)))


class DemoRandom(random.Random):
    """random.Random with cheaper uniform picks: a load test makes millions of them.

    The standard choice() and randint() go through two or three Python-level calls to stay
    exactly uniform for huge ranges; for the short lists here one float is plenty.
    """

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


# How likely each final state is for a message of a given age: the first row whose bound (in
# days) is above the message's age applies.
TARGETS_BY_AGE: tuple[tuple[float, dict[State, float]], ...] = (
    (1, {S.SUBMITTED: 45, S.DISPATCHED: 28, S.ACCEPTED: 10, S.REJECTED: 11, S.DUPLICATE: 6}),
    (
        5,
        {
            S.SUBMITTED: 3,
            S.DISPATCHED: 22,
            S.ACCEPTED: 48,
            S.REPLY_REVIEW: 6,
            S.REPLIED: 6,
            S.REJECTED: 10,
            S.DUPLICATE: 5,
        },
    ),
    (
        15,
        {
            S.DISPATCHED: 4,
            S.ACCEPTED: 40,
            S.REPLY_REVIEW: 10,
            S.REPLIED: 24,
            S.REVIEW: 2,
            S.CLOSED: 6,
            S.REJECTED: 9,
            S.DUPLICATE: 5,
        },
    ),
    (
        30,
        {
            S.DISPATCHED: 1,
            S.ACCEPTED: 18,
            S.REPLY_REVIEW: 5,
            S.REPLIED: 28,
            S.REVIEW: 6,
            S.REOPENED: 4,
            S.CLOSED: 25,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
    (
        60,
        {
            S.ACCEPTED: 5,
            S.REPLY_REVIEW: 1,
            S.REPLIED: 4,
            S.REVIEW: 3,
            S.REOPENED: 2,
            S.CLOSED: 72,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
    (
        inf,
        {
            S.ACCEPTED: 1,
            S.REVIEW: 0.4,
            S.REOPENED: 0.3,
            S.CLOSED: 85,
            S.REJECTED: 9,
            S.DUPLICATE: 4,
        },
    ),
)
_TARGET_BOUNDS = [bound for bound, _ in TARGETS_BY_AGE]
# The same rows as states and cumulative weights: choices() would add them up on every call.
_TARGET_TABLES = [(tuple(w), tuple(accumulate(w.values()))) for _, w in TARGETS_BY_AGE]


def target_weights(age_days: float) -> dict[State, float]:
    """How likely each final state is for a message written `age_days` ago."""
    return TARGETS_BY_AGE[bisect_right(_TARGET_BOUNDS, age_days)][1]


# Hot issues arise when neighbours write about what others already reported: this share of new
# messages takes up the problem and place of a message from the last FOLLOW_DAYS days, in the
# writer's own words. Each follower is remembered again, so a topic is more likely to be taken
# up the more it already was: most topics stay single, a few grow into hot issues.
FOLLOW_SHARE = 0.2
FOLLOW_DAYS = 14


@dataclass(frozen=True)
class Original:
    """What a later duplicate needs to know about the message it repeats."""

    id: int
    serial: str
    board: BoardInfo
    region_id: int
    draft: Draft


class Memory:
    """What simulations in one process may share: results of pure functions only, nothing that
    depends on a random stream, so a run's history stays a function of its seed.

    A load-test worker simulates chunk after chunk; with a fresh memory per chunk it spent a
    third more time, mostly segmenting the same phrases again.
    """

    def __init__(self, calendar: WorkCalendar):
        # Working days and deadlines (which depend only on the local start day).
        self.calendar = _RememberingCalendar(calendar)
        # The same tokens as board.search would index, from phrases segmented once each.
        self.search_text = RepeatedTextSegmenter()

    def remembers(self, calendar: WorkCalendar) -> bool:
        return self.calendar.calendar is calendar


class Simulator:
    def __init__(
        self,
        world: World,
        calendar: WorkCalendar,
        *,
        rng: random.Random,
        now: datetime,
        writer: Writer,
        rules: ClockRules | None = None,
        memory: Memory | None = None,
    ):
        memory = memory or Memory(calendar)
        self.world = world
        self.calendar = calendar
        self.clock = Clock(memory.calendar, rules or ClockRules())
        self.rng = rng
        self.text = TextGenerator(rng)
        self.now = now
        self._now_seconds = int(now.timestamp())
        self.writer = writer
        self.states: Counter[str] = Counter()
        self._serials: dict[str, int] = {}
        self._routes: dict[tuple[int, int, str], tuple[UnitInfo, UnitInfo | None]] = {}
        self._originals: deque[Original] = deque(maxlen=300)
        # (submitted, topic) of the recent originals and followers, oldest first.
        self._topics: deque[tuple[datetime, Original]] = deque()
        # Cumulative: choices() would otherwise add the weights up again on every call.
        self._board_cum_weights = list(accumulate(_board_weight(board) for board in world.boards))
        self._callers = 0
        self.nicknames = {citizen.id: citizen.nickname for citizen in world.citizens}
        self.search_text = memory.search_text
        if writer.columns(Event) != EVENT_COLUMNS:
            raise RuntimeError(f"Event columns changed: {writer.columns(Event)}; see step()")

    # --- time -----------------------------------------------------------------------------

    def later(
        self, t: datetime, low_hours: float, high_hours: float, *, office: bool = True
    ) -> datetime:
        """A moment after `t`: staff act in office hours; nothing happens after `now`."""
        # Whole seconds: a demo needs no finer times, and bulk stores them more cheaply. The
        # arithmetic runs on epoch seconds: datetime and timedelta objects cost several times
        # more, and a load test asks this millions of times.
        hours = low_hours * (high_hours / low_hours) ** self.rng.random()
        start = int(t.timestamp())
        moment = start + int(hours * 3600)
        if office:
            moment = self._in_office_hours(moment)
        if moment >= self._now_seconds:
            share = self.rng.uniform(0.05, 0.5)
            moment = start + int((self._now_seconds - start) * share)
        return datetime.fromtimestamp(max(moment, start + 1), UTC)

    def _in_office_hours(self, moment: int) -> int:
        """`moment` (epoch seconds) if offices are open then, else a time soon after the next
        opening."""
        day, second = divmod(moment + CST_SECONDS, 86400)  # the local day, counted from 1970
        working = self.clock.calendar.is_working_day_number(day)
        minute = second // 60
        if working and OPENING_MINUTE <= minute < CLOSING_HOUR * 60:
            return moment
        if not (working and minute < OPENING_MINUTE):
            day = self.clock.calendar.next_working_day_number(day)
        minutes = OPENING_MINUTE + self.rng.randint(0, 180)
        return day * 86400 + minutes * 60 + self.rng.randint(0, 59) - CST_SECONDS

    # --- building a message ---------------------------------------------------------------

    def simulate(self, submitted_at: datetime, target: State | None = None) -> None:
        age_days = (self.now - submitted_at).total_seconds() / 86400
        if target is None:
            states, cum_weights = _TARGET_TABLES[bisect_right(_TARGET_BOUNDS, age_days)]
            target = self.rng.choices(states, cum_weights=cum_weights)[0]
        life = Life(self, submitted_at, target)
        life.live()
        life.finish()
        self.states[life.state.value] += 1

    def serial(self, submitted_at: datetime) -> str:
        """'YYYYMMDD' and the day's running number, after any serials already in the table."""
        day = _serial_day((submitted_at + CST).date())
        number = self._serials.get(day, 0) + 1
        self._serials[day] = number
        return f"{day}{number:06d}"

    def continue_serials(self, since: datetime) -> None:
        """Read the last serial of every day from `since` on, in one query."""
        first = (since + CST).strftime("%Y%m%d")
        rows = (
            Message.objects.filter(serial__gte=first)
            .annotate(day=Substr("serial", 1, 8))
            .values("day")
            .annotate(last=Max("serial"))
            .values_list("day", "last")
        )
        self._serials.update({day: int(last[8:]) for day, last in rows})

    def continue_serials_from(self, last_numbers: dict[str, int]) -> None:
        self._serials.update(last_numbers)

    @property
    def last_serials(self) -> dict[str, int]:
        return dict(self._serials)

    def pick_board(self) -> BoardInfo:
        return self.rng.choices(self.world.boards, cum_weights=self._board_cum_weights)[0]

    def pick_region(self, board: BoardInfo) -> int:
        counties = self.world.counties_under(board.region_id)
        return self.rng.choice(counties) if counties else board.region_id

    def route(
        self, board: BoardInfo, region_id: int, domain: str
    ) -> tuple[UnitInfo, UnitInfo | None]:
        """The lead unit a moderator would choose, and the sub-unit it would pass the work to."""
        key = (board.id, region_id, domain)
        if key not in self._routes:
            self._routes[key] = self._route(board, region_id, domain)
        return self._routes[key]

    def _route(
        self, board: BoardInfo, region_id: int, domain: str
    ) -> tuple[UnitInfo, UnitInfo | None]:
        world, units = self.world, self.world.units
        default = units[board.default_unit_id]
        chain = world.ancestors(region_id)
        levels = (
            chain[: chain.index(board.region_id) + 1][::-1]
            if board.region_id in chain
            else [board.region_id]
        )
        # A provincial leader's letters usually go down to the city; the others stay at the
        # board's own level and may be transferred further down by the unit.
        provincial = board.kind == "leader" and len(levels) == 3
        tried = levels[1:2] + levels[:1] if provincial else levels[:1]
        lead = default
        for level in tried:
            covering = [u for u in world.units_by_region.get(level, ()) if u.covers(domain)]
            specialists = [u for u in covering if not u.is_office]
            if specialists or covering:
                lead = self.rng.choice(specialists or covering)
                break
        below = [
            units[c]
            for c in lead.children
            if units[c].region_id in chain and units[c].covers(domain)
        ]
        return lead, (below[0] if below else None)

    def misroute(self, lead: UnitInfo, domain: str) -> UnitInfo | None:
        wrong = [
            u
            for u in self.world.units_by_region.get(lead.region_id, ())
            if not u.covers(domain) and u.id != lead.id
        ]
        return self.rng.choice(wrong) if wrong else None

    def leader_for(self, board: BoardInfo, region_id: int) -> int | None:
        if board.leaders:
            return self.rng.choice(board.leaders)
        for region in self.world.ancestors(board.region_id):
            if leaders := self.world.leaders_by_region.get(region):
                return self.rng.choice(leaders)
        return None

    def new_caller(self) -> tuple[str, str]:
        self._callers += 1
        return self.text.person_name(), f"138{self._callers % 10**8:08d}"

    def remember(self, original: Original, *, submitted_at: datetime, follower: bool) -> None:
        if not follower:
            self._originals.append(original)
        self._topics.append((submitted_at, original))

    def an_original(self) -> Original | None:
        return self.rng.choice(self._originals) if self._originals else None

    def a_topic_to_follow(self, submitted_at: datetime) -> Original | None:
        """Now and then (FOLLOW_SHARE) a recent message's topic, to write about again."""
        if self.rng.random() >= FOLLOW_SHARE:
            return None
        # Messages are simulated in the order they were written, so the oldest come first.
        topics, since = self._topics, submitted_at - timedelta(days=FOLLOW_DAYS)
        while topics and topics[0][0] < since:
            topics.popleft()
        return self.rng.choice(topics)[1] if topics else None


class _RememberingCalendar:
    """A WorkCalendar that remembers working days and deadlines (a deadline depends only on
    the local start day).

    A load test asks hundreds of thousands of times, about a few hundred distinct days; the
    calendar itself stays the single source of truth. Days can also be named by their number
    since 1970-01-01, which is how the simulation's epoch-second arithmetic finds them.
    """

    def __init__(self, calendar: WorkCalendar):
        self.calendar = calendar
        self._deadlines: dict[tuple[date, int], datetime] = {}
        self._working: dict[date, bool] = {}
        self._working_numbers: dict[int, bool] = {}
        self._next_numbers: dict[int, int] = {}

    def is_working_day(self, day: date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.calendar.is_working_day(day)
        return working

    def is_working_day_number(self, number: int) -> bool:
        working = self._working_numbers.get(number)
        if working is None:
            working = self.is_working_day(date.fromordinal(number + _EPOCH_ORDINAL))
            self._working_numbers[number] = working
        return working

    def next_working_day_number(self, number: int) -> int:
        """The number of the first working day after day `number`."""
        following = self._next_numbers.get(number)
        if following is None:
            day = self.calendar.next_working_day(date.fromordinal(number + _EPOCH_ORDINAL))
            following = self._next_numbers[number] = day.toordinal() - _EPOCH_ORDINAL
        return following

    def __getattr__(self, name: str):
        return getattr(self.calendar, name)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        key = ((start + CST).date(), days)
        deadline = self._deadlines.get(key)
        if deadline is None:
            deadline = self._deadlines[key] = self.calendar.add_working_days(start, days)
        return deadline


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=4096)
def _serial_day(day: date) -> str:
    return day.strftime("%Y%m%d")


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


def _board_weight(board: BoardInfo) -> float:
    # Most people write to their city's leaders; provincial posts and bodies get fewer letters.
    if board.kind == "body":
        return 1.5
    return 3.0


class Life:
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
        citizen = self.rng.choice(self.sim.world.citizens)
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

    def finish(self) -> None:
        message = self.message
        message["state"] = self.state.value
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
        return self.sim.world.units[(assignment or self.lead)["unit_id"]]

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
        lead = self.lead
        note = self.text.return_note(unit=self.unit().name)
        self.end(lead, AssignmentState.RETURNED)
        lead["note"] = note
        self.cancel_active()
        self.step(Action.RETURN, Role.HANDLER, self.handler(lead), assignment=lead, note=note)
        self.message["screen_by"] = self.clock.screen_by(self.t)
        self.lead = None

    def transfer(self, to: UnitInfo) -> None:
        self.wait(1, 30)
        parent = self.lead
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
        if late and self.lead["accept_by"] < self.sim.now - timedelta(days=2):
            self.remind_after(self.lead["accept_by"])
            self.wait(4, 48)
        else:
            self.wait(0.5, 50)
        lead = self.lead
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
        co = self.new_assignment(unit, kind=AssignmentKind.CO)
        co["reply_by"] = self.lead["reply_by"]
        self.step(
            Action.INVITE_CO, Role.HANDLER, self.handler(), assignment=self.lead, note=unit.name
        )
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
        reason = self.text.extension_reason()
        days = self.rng.choice((5, 10, self.clock.rules.extension_days))
        actor = self.handler()
        request = {
            "assignment_id": self.lead["id"],
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
            assignment=self.lead,
            note=reason,
            public=False,
        )
        if self.target is S.ACCEPTED and self.rng.random() < 0.3:
            return  # still waiting for the moderators' decision
        self.wait(1, 30)
        approve = self.rng.random() < 0.8
        moderator = self.moderator()
        if approve:
            self.lead["reply_by"] = self.clock.extend(self.lead["reply_by"], days)
        request.update(
            status="approved" if approve else "denied", decided_by_id=moderator, decided_at=self.t
        )
        action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
        self.step(action, Role.MODERATOR, moderator, assignment=self.lead)

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
            "assignment_id": self.lead["id"],
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
        return self.sim.nicknames.get(self.author_id) or "您好"

    def revise(self) -> None:
        """After a refusal or a return the handler rewrites the reply properly."""
        self.wait(4, 72)
        self.perfunctory = False
        self.reply.update(body=self._reply_text(self.unit()), author_id=self.handler())

    def send_reply(self) -> None:
        """Submit the draft: through the head first where the unit wants that."""
        self.wait(0.5, 24)
        reply, lead = self.reply, self.lead
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
            self.reply.update(
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
        self.reply.update(
            state=ReplyState.PUBLISHED.value, published_at=self.t, reviewed_by_id=moderator
        )
        self.end(self.lead, AssignmentState.DONE)
        self.cancel_active()
        for supervision in self.open_supervisions:
            supervision["resolved_at"] = self.t
        self.open_supervisions = []
        self.message.update(replied_at=self.t, rate_by=self.clock.rules.rating_deadline(self.t))
        self.published_reply = self.reply["body"]
        self.step(Action.APPROVE_REPLY, Role.MODERATOR, moderator, assignment=self.lead)
        self.lead = None

    def rate(self, *, satisfied: bool) -> None:
        self.t = min(self.sim.later(self.t, 2, 300, office=False), self.message["rate_by"])
        solved, attitude, speed = self._scores(satisfied)
        self.writer.add(
            Evaluation,
            {
                "message_id": self.id,
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
        if self.lead["reply_by"] < self.sim.now and self.rng.random() < 0.5:
            self.remind_after(self.lead["reply_by"])
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
        if self.lead["reply_by"] < start:
            self.remind_after(self.lead["reply_by"])
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


# --- when messages were written -------------------------------------------------------------


def submission_plan(
    count: int, *, now: datetime, months: int, rng: random.Random, showcase: bool = True
) -> Iterator[tuple[datetime, State | None]]:
    """Submission times, oldest first, with a forced target for the showcase messages.

    Day by day, so that a load test of millions never holds all of them in memory.
    """
    start = now - timedelta(days=months * 30.44)
    last = now - timedelta(minutes=10)
    forced = _showcase(now, start, count) if showcase else []
    days = _days(start, last)
    weights = [0.7 + 0.6 * i / max(1, len(days) - 1) for i in range(len(days))]
    per_day = Counter(rng.choices(range(len(days)), weights, k=count - len(forced)))
    forced_by_day: dict[date, list[tuple[datetime, State]]] = {}
    for moment, state in forced:
        forced_by_day.setdefault((moment + CST).date(), []).append((moment, state))
    for index, day in enumerate(days):
        moments = [(_moment_on(day, start, last, rng), None) for _ in range(per_day.get(index, 0))]
        moments.extend(forced_by_day.get(day, ()))
        moments.sort(key=lambda item: item[0])
        yield from moments


def _showcase(now: datetime, start: datetime, count: int) -> list[tuple[datetime, State]]:
    if count < len(SHOWCASE_AGES):
        return []
    chosen = [(now - timedelta(days=age), state) for state, age in SHOWCASE_AGES.items()]
    return [(moment, state) for moment, state in chosen if moment > start]


def _days(start: datetime, last: datetime) -> list[date]:
    first, final = (start + CST).date(), (last + CST).date()
    return [first + timedelta(days=n) for n in range((final - first).days + 1)]


def _moment_on(day: date, start: datetime, last: datetime, rng: random.Random) -> datetime:
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    local = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)))
    moment = (local - CST).replace(tzinfo=UTC)
    if start <= moment <= last:
        return moment
    low = max(start, (datetime.combine(day, time()) - CST).replace(tzinfo=UTC))
    high = min(last, (datetime.combine(day, time(23, 59, 59)) - CST).replace(tzinfo=UTC))
    if high <= low:
        return low
    return low + timedelta(seconds=int((high - low).total_seconds() * rng.random()))  # whole
