"""`total_contribution` sums many messages in groups (by day and shape, then by period); it must
add exactly what each message adds to each of its rows, counted one by one."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from liuyan.reports.figures.measures import (
    Facts,
    difference,
    period_start,
    periods_for,
    total_contribution,
)

days = st.dates(min_value=date(2018, 12, 20), max_value=date(2020, 1, 10))


@st.composite
def facts(draw) -> Facts:
    day = draw(days)
    replied = draw(st.booleans())
    accepted = replied or draw(st.booleans())
    return Facts(
        day=day,
        is_public=draw(st.booleans()),
        level=draw(st.sampled_from([1, 2, 3])),
        board=draw(st.sampled_from([1, 2])),
        regions=draw(st.sampled_from([(430100, 430000), (430102, 430100, 430000)])),
        unit=draw(st.sampled_from([None, 7, 8])),
        domains=draw(st.sampled_from([(), (3,), (4, 3)])),
        type=draw(st.sampled_from(["complaint", "consultation"])),
        channel=draw(st.sampled_from(["web", "import"])),
        dispatched=accepted,
        accepted=accepted,
        accepted_on_time=accepted and draw(st.booleans()),
        accept_days=draw(st.integers(0, 70)) if accepted else None,
        replied=replied,
        replied_on_time=replied and draw(st.booleans()),
        reply_days=draw(st.integers(0, 70)) if replied else None,
        reply_day=day + timedelta(days=draw(st.integers(0, 40))) if replied else None,
        reply_level=draw(st.sampled_from([2, 3])) if replied else None,
        rated=draw(st.booleans()),
        own=draw(st.booleans()),
    )


def one_by_one(many: list[Facts]) -> dict:
    """Each message's counts added to each row it adds to, one message at a time."""
    rows: dict = defaultdict(lambda: defaultdict(int))
    for f in many:
        counts = f.cohort_counts()
        for kind, key in f.slices():
            for period in periods_for(kind):
                row = rows[(f.is_public, kind, key, period, period_start(period, f.day))]
                for name, value in counts.items():
                    row[name] += value
                if f.reply_day is not None:
                    published = (f.is_public, kind, key, period, period_start(period, f.reply_day))
                    rows[published]["published"] += 1
    return {key: dict(counts) for key, counts in rows.items()}


@settings(max_examples=60, deadline=None)
@given(st.lists(facts(), max_size=40))
def test_summing_in_groups_adds_what_each_message_adds(many):
    assert total_contribution(many) == one_by_one(many)


@settings(max_examples=40, deadline=None)
@given(st.lists(facts(), max_size=20), st.lists(facts(), max_size=20))
def test_the_difference_from_nothing_is_what_the_new_messages_add(new, old):
    new_rows, old_rows = one_by_one(new), one_by_one(old)
    added = difference(total_contribution(new), {})
    assert added == {
        key: {name: value for name, value in counts.items() if value}
        for key, counts in new_rows.items()
    }
    # Against something, the difference is the counts that change, either way round.
    both = difference(total_contribution(new), total_contribution(old))
    for key in set(new_rows) | set(old_rows):
        after, before = new_rows.get(key, {}), old_rows.get(key, {})
        for name in set(after) | set(before):
            change = after.get(name, 0) - before.get(name, 0)
            assert both.get(key, {}).get(name, 0) == change
