import pytest
from django.utils import translation

from liuyan.board.refusals import describe_refusal
from liuyan.core import lifecycle as L


def refusal(state, action, roles):
    with pytest.raises(L.LifecycleError) as err:
        L.transition(state, action, roles)
    return err.value


def test_wrong_state_is_described_with_the_state_in_plain_words():
    error = refusal(L.State.CLOSED, L.Action.ACCEPT, {L.Role.HANDLER})
    with translation.override("en"):
        assert describe_refusal(error) == (
            "This cannot be done now (accepted): the message is closed. Nothing was changed."
        )


def test_missing_right_names_who_may():
    error = refusal(L.State.REPLY_REVIEW, L.Action.APPROVE_REPLY, {L.Role.HANDLER})
    with translation.override("en"):
        text = describe_refusal(error)
    assert "moderators" in text and "administrators" in text


def test_every_action_state_and_role_has_a_label():
    from liuyan.board.models import ACTION_LABELS, ROLE_LABELS, STATE_LABELS

    assert set(ACTION_LABELS) == set(L.Action)
    assert set(STATE_LABELS) == set(L.State)
    assert set(ROLE_LABELS) == set(L.Role)
