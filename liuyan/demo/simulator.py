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
from collections import Counter, deque
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate

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
from liuyan.core.clock import Clock, ClockRules, RememberingCalendar, WorkCalendar
from liuyan.core.lifecycle import (
    State,
)
from liuyan.insight.text import RepeatedTextSegmenter

from .bulk import Writer
from .life import Life, Original
from .schedule import CST, pick_target
from .steps import EVENT_COLUMNS
from .text import TextGenerator
from .world import BoardInfo, UnitInfo, World

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
# Office hours, worked out on epoch seconds (CST is the fixed UTC+8 offset, see schedule).
CST_SECONDS = 8 * 3600
OPENING = time(8, 30)
OPENING_MINUTE = OPENING.hour * 60 + OPENING.minute
CLOSING_HOUR = 18


class DemoRandom(random.Random):
    """random.Random with cheaper uniform picks: a load test makes millions of them.

    The standard choice() and randint() go through two or three Python-level calls to stay
    exactly uniform for huge ranges; for the short lists here one float is plenty.
    """

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


# Hot issues arise when neighbours write about what others already reported: this share of new
# messages takes up the problem and place of a message from the last FOLLOW_DAYS days, in the
# writer's own words. Each follower is remembered again, so a topic is more likely to be taken
# up the more it already was: most topics stay single, a few grow into hot issues.
FOLLOW_SHARE = 0.2
FOLLOW_DAYS = 14


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
        self._days = memory.calendar  # the clock's calendar, which also knows days by number
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
        self._board_cum_weights = list(accumulate(board.weight for board in world.boards))
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
        working = self._days.is_working_day_number(day)
        minute = second // 60
        if working and OPENING_MINUTE <= minute < CLOSING_HOUR * 60:
            return moment
        if not (working and minute < OPENING_MINUTE):
            day = self._days.next_working_day_number(day)
        minutes = OPENING_MINUTE + self.rng.randint(0, 180)
        return day * 86400 + minutes * 60 + self.rng.randint(0, 59) - CST_SECONDS

    # --- building a message ---------------------------------------------------------------

    def simulate(self, submitted_at: datetime, target: State | None = None) -> None:
        age_days = (self.now - submitted_at).total_seconds() / 86400
        if target is None:
            target = pick_target(self.rng, age_days)
        life = Life(self, submitted_at, target)
        life.live()
        self.states[life.finish().value] += 1

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
        if not counties:
            return board.region_id
        weights = self.world.county_cum_weights.get(board.region_id)
        if weights:
            return self.rng.choices(counties, cum_weights=weights)[0]
        return self.rng.choice(counties)

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


class _RememberingCalendar(RememberingCalendar):
    """The core's remembering calendar, whose days can also be named by their number since
    1970-01-01, which is how the simulation's epoch-second arithmetic finds them."""

    def __init__(self, calendar: WorkCalendar):
        super().__init__(calendar)
        self._working_numbers: dict[int, bool] = {}
        self._next_numbers: dict[int, int] = {}

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

    def add_working_days(self, start: datetime, days: int) -> datetime:
        # The fixed UTC+8 offset: cheaper than the zone lookup, the same day since 1992.
        key = ((start + CST).date(), days)
        deadline = self._deadlines.get(key)
        if deadline is None:
            deadline = self._deadlines[key] = self.calendar.add_working_days(start, days)
        return deadline


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=4096)
def _serial_day(day: date) -> str:
    return day.strftime("%Y%m%d")
