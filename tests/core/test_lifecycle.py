"""The state machine alone: no database, milliseconds."""

import pytest

from liuyan.core import lifecycle as L
from liuyan.core.lifecycle import Action, Role, State


def test_every_action_has_a_rule_with_at_least_one_role():
    for action in Action:
        assert L.RULES[action].roles, action


def test_submit_creates_a_submitted_message():
    t = L.transition(None, Action.SUBMIT, {Role.AUTHOR})
    assert (t.from_state, t.to_state) == (None, State.SUBMITTED)


def test_submit_twice_is_refused():
    with pytest.raises(L.TransitionRefused):
        L.transition(State.SUBMITTED, Action.SUBMIT, {Role.AUTHOR})


@pytest.mark.parametrize("state", sorted(L.TERMINAL_STATES))
def test_terminal_states_allow_no_state_change(state):
    everyone = set(Role)
    for action in L.allowed_actions(state, everyone):
        assert L.RULES[action].to_state in (None, state), action


def test_handler_may_not_approve_a_reply():
    with pytest.raises(L.PermissionRefused):
        L.transition(State.REPLY_REVIEW, Action.APPROVE_REPLY, {Role.HANDLER})


def test_only_the_head_signs_off():
    assert L.transition(State.ACCEPTED, Action.SIGN_OFF, {Role.HEAD}).to_state == State.REPLY_REVIEW
    with pytest.raises(L.PermissionRefused):
        L.transition(State.ACCEPTED, Action.SIGN_OFF, {Role.HANDLER})


def test_in_place_actions_keep_the_state():
    t = L.transition(State.ACCEPTED, Action.REQUEST_EXTENSION, {Role.HANDLER})
    assert t.to_state == State.ACCEPTED and not t.changes_state


@pytest.mark.parametrize(
    ("solved", "attitude", "speed", "expected"),
    [
        (True, 5, 5, Action.RATE_SATISFIED),
        (True, 3, 3, Action.RATE_SATISFIED),
        (False, 5, 5, Action.RATE_UNSATISFIED),
        (True, 2, 5, Action.RATE_UNSATISFIED),
        (True, 5, 1, Action.RATE_UNSATISFIED),
    ],
)
def test_rating_outcome(solved, attitude, speed, expected):
    assert L.rating_action(solved=solved, attitude=attitude, speed=speed) is expected


def test_unsatisfied_rating_leads_to_look_back_then_second_round():
    t = L.transition(State.REPLIED, Action.RATE_UNSATISFIED, {Role.AUTHOR})
    assert t.to_state == State.REVIEW
    assert L.transition(State.REVIEW, Action.REOPEN, {Role.MODERATOR}).to_state == State.REOPENED
    assert L.transition(State.REOPENED, Action.ACCEPT, {Role.HANDLER}).to_state == State.ACCEPTED


def test_allowed_actions_for_public_is_empty_everywhere():
    for state in State:
        assert L.allowed_actions(state, {Role.PUBLIC}) == []
