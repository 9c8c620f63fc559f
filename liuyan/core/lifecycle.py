"""The life of a message: states, actions, who may take each, and where each leads.

Pure Python, no Django. `board.services` asks `transition()` before every write and records the
returned Transition as an Event; nothing else decides whether a step is allowed.

Three linked machines live here:
- the message (`State`): what citizens and the public see;
- the assignment (`AssignmentState`): one unit's duty on the message;
- the reply (`ReplyState`): a unit's answer on its way to publication.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict


class State(StrEnum):
    SUBMITTED = "submitted"  # waiting for a moderator (new, or returned by a unit)
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # follows the outcome of the message it duplicates
    DISPATCHED = "dispatched"  # a lead unit is assigned and has not accepted yet
    ACCEPTED = "accepted"
    REPLY_REVIEW = "reply_review"
    REPLIED = "replied"  # reply published; the citizen may rate it
    REVIEW = "review"  # unsatisfied rating: moderators look back (回头看)
    REOPENED = "reopened"  # second round dispatched, waiting for acceptance
    CLOSED = "closed"


TERMINAL_STATES = frozenset({State.REJECTED, State.DUPLICATE, State.CLOSED})
# While a message is in one of these, exactly one lead assignment is active.
HANDLING_STATES = frozenset({State.DISPATCHED, State.ACCEPTED, State.REPLY_REVIEW, State.REOPENED})
# States in which a supervision order or a reminder makes sense.
SUPERVISABLE_STATES = HANDLING_STATES | {State.SUBMITTED, State.REVIEW}


class Role(StrEnum):
    AUTHOR = "author"  # the citizen who wrote the message
    MODERATOR = "moderator"
    HANDLER = "handler"  # staff of the unit that holds the assignment
    HEAD = "head"  # head of that unit (may also do everything a handler does)
    LEADER = "leader"  # leader of the message's board or region
    OPERATOR = "operator"  # hotline operator entering a message for a caller
    ADMIN = "admin"
    SYSTEM = "system"  # `liuyan tick` and background tasks
    PUBLIC = "public"  # anyone else


class Action(StrEnum):
    SUBMIT = "submit"
    SCREEN = "screen"  # approve screening; the message may now be dispatched
    REJECT = "reject"
    MARK_DUPLICATE = "mark_duplicate"
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    # A hotline operator sends the urgent call they just entered straight to a unit (12345's
    # 直派): the moderators' screening comes afterwards, on a message that stays private.
    URGENT_DISPATCH = "urgent_dispatch"
    ACCEPT = "accept"
    RETURN = "return"  # unit hands a misrouted message back to moderators (退回)
    TRANSFER = "transfer"  # unit passes its duty to a sub-unit (转办)
    INVITE_CO = "invite_co"  # the lead unit asks other units to help (协办)
    CONTRIBUTE = "contribute"  # a co-handling unit gives its part to the lead unit
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    DRAFT_REPLY = "draft_reply"
    SUBMIT_FOR_SIGNOFF = "submit_for_signoff"  # the unit requires its head's sign-off
    REFUSE_SIGNOFF = "refuse_signoff"  # the head sends the draft back to the handler
    SUBMIT_REPLY = "submit_reply"
    SIGN_OFF = "sign_off"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"  # reply sent back to the unit (退回重办)
    RATE_SATISFIED = "rate_satisfied"
    RATE_UNSATISFIED = "rate_unsatisfied"
    FOLLOW_UP = "follow_up"
    ANSWER_FOLLOW_UP = "answer_follow_up"  # the unit answers a follow-up question
    APPROVE_FOLLOW_UP_ANSWER = "approve_fu_answer"  # published under the question
    RETURN_FOLLOW_UP_ANSWER = "return_fu_answer"  # sent back to the unit
    THANK = "thank"
    REOPEN = "reopen"  # second round after the look-back (二次办理)
    CLOSE = "close"
    AUTO_CLOSE = "auto_close"  # rating window over, nobody rated
    SUPERVISE = "supervise"
    INSTRUCT = "instruct"  # a leader's written instruction (批示)


@dataclass(frozen=True)
class Rule:
    from_states: frozenset[State]
    to_state: State | None  # None: the message keeps its state
    roles: frozenset[Role]


def _rule(froms: Iterable[State], to: State | None, *roles: Role) -> Rule:
    return Rule(frozenset(froms), to, frozenset(roles))


S, R = State, Role
_UNIT = (R.HANDLER, R.HEAD)
_MOD = (R.MODERATOR, R.ADMIN)
# A follow-up question is asked, answered and reviewed once a reply is out, in any later state
# of the message (a reopened one included: the question stays owed).
_AFTER_REPLY = [S.REPLIED, S.REVIEW, S.CLOSED, S.REOPENED, S.ACCEPTED, S.REPLY_REVIEW]

RULES: dict[Action, Rule] = {
    Action.SUBMIT: _rule([], S.SUBMITTED, R.AUTHOR, R.OPERATOR),
    Action.SCREEN: _rule([S.SUBMITTED], None, *_MOD),
    Action.REJECT: _rule([S.SUBMITTED], S.REJECTED, *_MOD),
    Action.MARK_DUPLICATE: _rule([S.SUBMITTED], S.DUPLICATE, *_MOD),
    Action.DISPATCH: _rule([S.SUBMITTED], S.DISPATCHED, *_MOD),
    Action.REDISPATCH: _rule([S.DISPATCHED, S.REOPENED], S.DISPATCHED, *_MOD),
    Action.URGENT_DISPATCH: _rule([S.SUBMITTED], S.DISPATCHED, R.OPERATOR, *_MOD),
    Action.ACCEPT: _rule([S.DISPATCHED, S.REOPENED], S.ACCEPTED, *_UNIT),
    Action.RETURN: _rule([S.DISPATCHED, S.REOPENED, S.ACCEPTED], S.SUBMITTED, *_UNIT),
    Action.TRANSFER: _rule([S.DISPATCHED, S.REOPENED, S.ACCEPTED], S.DISPATCHED, *_UNIT),
    Action.INVITE_CO: _rule([S.ACCEPTED], None, *_UNIT),
    Action.CONTRIBUTE: _rule([S.ACCEPTED, S.REPLY_REVIEW], None, *_UNIT),
    Action.REQUEST_EXTENSION: _rule([S.ACCEPTED], None, *_UNIT),
    Action.APPROVE_EXTENSION: _rule([S.ACCEPTED, S.REPLY_REVIEW], None, *_MOD),
    Action.DENY_EXTENSION: _rule([S.ACCEPTED, S.REPLY_REVIEW], None, *_MOD),
    Action.DRAFT_REPLY: _rule([S.ACCEPTED], None, *_UNIT),
    Action.SUBMIT_FOR_SIGNOFF: _rule([S.ACCEPTED], None, *_UNIT),
    Action.REFUSE_SIGNOFF: _rule([S.ACCEPTED], None, R.HEAD),
    Action.SUBMIT_REPLY: _rule([S.ACCEPTED], S.REPLY_REVIEW, *_UNIT),
    Action.SIGN_OFF: _rule([S.ACCEPTED], S.REPLY_REVIEW, R.HEAD),
    Action.APPROVE_REPLY: _rule([S.REPLY_REVIEW], S.REPLIED, *_MOD),
    Action.RETURN_REPLY: _rule([S.REPLY_REVIEW], S.ACCEPTED, *_MOD),
    Action.RATE_SATISFIED: _rule([S.REPLIED], S.CLOSED, R.AUTHOR),
    Action.RATE_UNSATISFIED: _rule([S.REPLIED], S.REVIEW, R.AUTHOR),
    Action.FOLLOW_UP: _rule([S.REPLIED, S.REVIEW, S.CLOSED], None, R.AUTHOR),
    Action.THANK: _rule([S.REPLIED, S.REVIEW, S.CLOSED], None, R.AUTHOR),
    Action.ANSWER_FOLLOW_UP: _rule(_AFTER_REPLY, None, *_UNIT),
    Action.APPROVE_FOLLOW_UP_ANSWER: _rule(_AFTER_REPLY, None, *_MOD),
    Action.RETURN_FOLLOW_UP_ANSWER: _rule(_AFTER_REPLY, None, *_MOD),
    Action.REOPEN: _rule([S.REVIEW], S.REOPENED, *_MOD),
    Action.CLOSE: _rule([S.REPLIED, S.REVIEW], S.CLOSED, *_MOD),
    Action.AUTO_CLOSE: _rule([S.REPLIED], S.CLOSED, R.SYSTEM),
    Action.SUPERVISE: _rule(SUPERVISABLE_STATES, None, *_MOD, R.LEADER),
    Action.INSTRUCT: _rule(set(State) - {S.REJECTED, S.DUPLICATE}, None, R.LEADER),
}


class LifecycleError(Exception):
    """A step that the rules do not allow.

    `code` is stable; `action`, `state` and `allowed_roles` let the Django layer word the refusal
    in the user's language (this package has no translations); `message` is plain English.
    """

    code = "lifecycle"

    def __init__(
        self,
        message: str,
        *,
        action: Action | None = None,
        state: State | None = None,
        allowed_roles: frozenset[Role] = frozenset(),
    ):
        super().__init__(message)
        self.message = message
        self.action = action
        self.state = state
        self.allowed_roles = allowed_roles


class TransitionRefused(LifecycleError):
    code = "wrong_state"


class PermissionRefused(LifecycleError):
    code = "not_allowed"


class StaleStep(TransitionRefused):
    """The step was asked for on an older view of the message: it was already taken (a double
    submit) or someone else acted meanwhile. Nothing is changed."""

    code = "stale"


@dataclass(frozen=True)
class Transition:
    action: Action
    from_state: State | None
    to_state: State | None  # the state after the step (same as before for in-place actions)

    @property
    def changes_state(self) -> bool:
        return self.from_state != self.to_state


class _RefusalFacts(TypedDict):
    """What a refusal carries, typed so that `**facts` matches LifecycleError's keywords."""

    action: Action
    state: State | None
    allowed_roles: frozenset[Role]


def transition(
    state: State | None, action: Action, roles: set[Role] | frozenset[Role]
) -> Transition:
    """Check that someone holding `roles` may take `action` on a message in `state`.

    Returns the Transition to record; raises TransitionRefused or PermissionRefused.
    """
    rule = RULES[action]
    facts: _RefusalFacts = {"action": action, "state": state, "allowed_roles": rule.roles}
    if action is Action.SUBMIT:
        if state is not None:
            raise TransitionRefused("The message has already been submitted.", **facts)
    elif state not in rule.from_states:
        raise TransitionRefused(f"Cannot {action.value} a message that is {state}.", **facts)
    if not rule.roles & set(roles):
        raise PermissionRefused(
            f"Only {_names(rule.roles)} may {action.value} this message.", **facts
        )
    to_state = rule.to_state if rule.to_state is not None else state
    return Transition(action=action, from_state=state, to_state=to_state)


def allowed_actions(state: State | None, roles: set[Role] | frozenset[Role]) -> list[Action]:
    """The actions someone holding `roles` may take now: for buttons and for tests."""
    result = []
    for action in Action:
        try:
            transition(state, action, roles)
        except LifecycleError:
            continue
        result.append(action)
    return result


def is_terminal(state: State) -> bool:
    return state in TERMINAL_STATES


def _names(roles: frozenset[Role]) -> str:
    return " or ".join(sorted(role.value for role in roles))


# --- assignments --------------------------------------------------------------------------


class AssignmentKind(StrEnum):
    LEAD = "lead"  # 主办
    CO = "co"  # 协办


class AssignmentState(StrEnum):
    PENDING = "pending"  # waiting for the unit to accept
    ACCEPTED = "accepted"
    CONTRIBUTED = "contributed"  # a co-handling unit has given its part
    DONE = "done"  # the lead unit's reply was published
    RETURNED = "returned"  # handed back to moderators as misrouted
    TRANSFERRED = "transferred"  # passed on to a child assignment
    CANCELLED = "cancelled"  # re-dispatched, rejected, or superseded by a new round


ACTIVE_ASSIGNMENT_STATES = frozenset({AssignmentState.PENDING, AssignmentState.ACCEPTED})
FINISHED_ASSIGNMENT_STATES = frozenset(set(AssignmentState) - ACTIVE_ASSIGNMENT_STATES)

# --- replies ------------------------------------------------------------------------------


class ReplyState(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNOFF = "awaiting_signoff"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"  # sent back by the moderator or the head; the unit revises it
    PUBLISHED = "published"


EDITABLE_REPLY_STATES = frozenset({ReplyState.DRAFT, ReplyState.RETURNED})


class FollowUpState(StrEnum):
    """The unit's answer to a follow-up question (追问), reviewed like a reply."""

    WAITING = "waiting"  # asked; the unit owes an answer by its deadline
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"  # sent back by a moderator; the unit answers again
    PUBLISHED = "published"  # shown under the question


ANSWERABLE_FOLLOW_UP_STATES = frozenset({FollowUpState.WAITING, FollowUpState.RETURNED})
FOLLOW_UP_ANSWER_DAYS = 5  # working days to answer a follow-up question


def reply_state_after_submit(*, needs_signoff: bool) -> ReplyState:
    return ReplyState.AWAITING_SIGNOFF if needs_signoff else ReplyState.UNDER_REVIEW


# --- ratings ------------------------------------------------------------------------------


def is_satisfied(*, solved: bool, attitude: int, speed: int) -> bool:
    """An unsolved problem, or a poor score for attitude or speed, calls for a look back."""
    return solved and attitude >= 3 and speed >= 3


def rating_action(*, solved: bool, attitude: int, speed: int) -> Action:
    if is_satisfied(solved=solved, attitude=attitude, speed=speed):
        return Action.RATE_SATISFIED
    return Action.RATE_UNSATISFIED


# --- supervision --------------------------------------------------------------------------


class SupervisionLevel(StrEnum):
    REMINDER = "reminder"  # 催办
    SUPERVISION = "supervision"  # 督办
    LISTED = "listed"  # 挂牌督办


# --- rejection reasons --------------------------------------------------------------------


class RejectReason(StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    DUPLICATE = "duplicate"
    NOT_ACTIONABLE = "not_actionable"
    OUTSIDE_REMIT = "outside_remit"
    OTHER = "other"
