"""What the portal says about a message in plain words: its status, its next step, its timeline.

Citizens do not know our state names; they want to know what happens next and by when. Dates are
shown in Asia/Shanghai, as a date only: a deadline is the end of a working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liuyan.board.models import Event, Message
from liuyan.core.lifecycle import Action, AssignmentState, State

STATUS_WORDS = {
    State.SUBMITTED: gettext_lazy("Awaiting screening"),
    State.REJECTED: gettext_lazy("Not accepted"),
    State.DUPLICATE: gettext_lazy("Duplicate of another message"),
    State.DISPATCHED: gettext_lazy("Waiting for the unit to accept"),
    State.ACCEPTED: gettext_lazy("Being handled"),
    State.REPLY_REVIEW: gettext_lazy("Reply being reviewed"),
    State.REPLIED: gettext_lazy("Replied"),
    State.REVIEW: gettext_lazy("Being looked at again"),
    State.REOPENED: gettext_lazy("Handled a second time"),
    State.CLOSED: gettext_lazy("Closed"),
}

# Keyed by str: Message.type holds the plain value, and a TextChoices member is that str.
TYPE_WORDS: dict[str, Promise] = {
    Message.Type.COMPLAINT: gettext_lazy("Complaint"),
    Message.Type.HELP: gettext_lazy("Request for help"),
    Message.Type.CONSULTATION: gettext_lazy("Consultation"),
    Message.Type.SUGGESTION: gettext_lazy("Suggestion"),
}

ACTION_WORDS = {
    Action.SUBMIT: gettext_lazy("Message submitted"),
    Action.REJECT: gettext_lazy("Not accepted"),
    Action.MARK_DUPLICATE: gettext_lazy("Marked as a duplicate"),
    Action.DISPATCH: gettext_lazy("Dispatched to %(unit)s"),
    Action.REDISPATCH: gettext_lazy("Dispatched again to %(unit)s"),
    Action.ACCEPT: gettext_lazy("Accepted by %(unit)s"),
    Action.RETURN: gettext_lazy("Returned by %(unit)s for re-routing"),
    Action.TRANSFER: gettext_lazy("Transferred to %(unit)s"),
    Action.INVITE_CO: gettext_lazy("Other units asked to help"),
    Action.APPROVE_EXTENSION: gettext_lazy("Time to reply extended"),
    Action.DENY_EXTENSION: gettext_lazy("Extension refused"),
    Action.SUBMIT_REPLY: gettext_lazy("Reply written by %(unit)s"),
    Action.SIGN_OFF: gettext_lazy("Reply signed off by the unit head"),
    Action.APPROVE_REPLY: gettext_lazy("Reply published"),
    Action.RATE_SATISFIED: gettext_lazy("Rated: satisfied"),
    Action.RATE_UNSATISFIED: gettext_lazy("Rated: not satisfied"),
    Action.FOLLOW_UP: gettext_lazy("Follow-up question"),
    Action.THANK: gettext_lazy("Thanks from the author"),
    Action.APPROVE_FOLLOW_UP_ANSWER: gettext_lazy("Follow-up answered by %(unit)s"),
    Action.REOPEN: gettext_lazy("Handled a second time by %(unit)s"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.AUTO_CLOSE: gettext_lazy("Closed (not rated in time)"),
    Action.SUPERVISE: gettext_lazy("Supervision ordered"),
    Action.INSTRUCT: gettext_lazy("Leader's instruction"),
}


def status_words(message: Message) -> str:
    return str(STATUS_WORDS.get(State(message.state), message.state))


def type_words(message: Message) -> str:
    return str(TYPE_WORDS.get(message.type, message.type))


def event_words(event: Event) -> str:
    try:
        template = ACTION_WORDS[Action(event.action)]
    except (KeyError, ValueError):
        return event.action
    # A null key gives None without a query, so testing `unit` costs what `unit_id` did.
    unit = event.unit.name if event.unit is not None else _("the responsible unit")
    return str(template) % {"unit": unit}


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class NextStep:
    text: str
    can_rate: bool = False


def next_step(message: Message, now: datetime | None = None) -> NextStep:
    """What happens next and by when, from the message's own deadlines and its active lead
    assignment (`message.active_leads`, prefetched by selectors.my_messages)."""
    now = now or timezone.now()
    state = State(message.state)
    lead = next(iter(getattr(message, "active_leads", []) or []), None)
    if state == State.SUBMITTED:
        return NextStep(
            _("Awaiting screening, by %(date)s") % {"date": local_date(message.screen_by)}
        )
    if state in (State.DISPATCHED, State.REOPENED, State.ACCEPTED) and lead is not None:
        if lead.state == AssignmentState.PENDING:
            return NextStep(
                _("Waiting to be accepted, by %(date)s") % {"date": local_date(lead.accept_by)}
            )
        return NextStep(
            _("Being handled, reply due by %(date)s") % {"date": local_date(lead.reply_by)}
        )
    if state == State.REPLY_REVIEW:
        return NextStep(_("The reply is being reviewed before it is published"))
    if state == State.REPLIED:
        if message.rate_by is not None and now <= message.rate_by:
            return NextStep(
                _("You can rate the reply, by %(date)s") % {"date": local_date(message.rate_by)},
                can_rate=True,
            )
        return NextStep(_("Replied; it will be closed soon"))
    if state == State.REVIEW:
        return NextStep(_("Your rating is being looked at; the message may be handled again"))
    if state == State.REJECTED:
        return NextStep(
            _("Not accepted: %(reason)s") % {"reason": message.get_reject_reason_display() or "—"}
        )
    if state == State.DUPLICATE:
        original = message.duplicate_of.serial if message.duplicate_of is not None else "—"
        return NextStep(
            _("Follows the outcome of the earlier message %(serial)s") % {"serial": original}
        )
    if state == State.CLOSED:
        return NextStep(_("Closed on %(date)s") % {"date": local_date(message.closed_at)})
    return NextStep(status_words(message))
