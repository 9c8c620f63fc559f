"""The words shown for lifecycle states, actions and roles, and the model choices made of them."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from liuyan.core import lifecycle


def _choices(enum, labels: dict) -> list[tuple[str, str]]:
    return [(member.value, labels[member]) for member in enum]


STATE_LABELS = {
    lifecycle.State.SUBMITTED: _("awaiting screening"),
    lifecycle.State.REJECTED: _("not accepted"),
    lifecycle.State.DUPLICATE: _("duplicate"),
    lifecycle.State.DISPATCHED: _("dispatched"),
    lifecycle.State.ACCEPTED: _("being handled"),
    lifecycle.State.REPLY_REVIEW: _("reply under review"),
    lifecycle.State.REPLIED: _("replied"),
    lifecycle.State.REVIEW: _("under look-back"),
    lifecycle.State.REOPENED: _("reopened"),
    lifecycle.State.CLOSED: _("closed"),
}

ASSIGNMENT_STATE_LABELS = {
    lifecycle.AssignmentState.PENDING: _("waiting for acceptance"),
    lifecycle.AssignmentState.ACCEPTED: _("accepted"),
    lifecycle.AssignmentState.CONTRIBUTED: _("part given"),
    lifecycle.AssignmentState.DONE: _("done"),
    lifecycle.AssignmentState.RETURNED: _("returned"),
    lifecycle.AssignmentState.TRANSFERRED: _("transferred"),
    lifecycle.AssignmentState.CANCELLED: _("cancelled"),
}

REPLY_STATE_LABELS = {
    lifecycle.ReplyState.DRAFT: _("draft"),
    lifecycle.ReplyState.AWAITING_SIGNOFF: _("awaiting the head's sign-off"),
    lifecycle.ReplyState.UNDER_REVIEW: _("under review"),
    lifecycle.ReplyState.RETURNED: _("returned for revision"),
    lifecycle.ReplyState.PUBLISHED: _("published"),
}

FOLLOW_UP_STATE_LABELS = {
    lifecycle.FollowUpState.WAITING: _("waiting for the unit's answer"),
    lifecycle.FollowUpState.UNDER_REVIEW: _("answer under review"),
    lifecycle.FollowUpState.RETURNED: _("answer returned for revision"),
    lifecycle.FollowUpState.PUBLISHED: _("answered"),
}

# Keyed by str: Action members are their values, so Event.action (the stored str) looks up too.
ACTION_LABELS: dict[str, Promise] = {
    lifecycle.Action.SUBMIT: _("submitted"),
    lifecycle.Action.SCREEN: _("screened"),
    lifecycle.Action.REJECT: _("not accepted"),
    lifecycle.Action.MARK_DUPLICATE: _("marked as duplicate"),
    lifecycle.Action.DISPATCH: _("dispatched"),
    lifecycle.Action.REDISPATCH: _("dispatched again"),
    lifecycle.Action.URGENT_DISPATCH: _("urgent call sent straight to the unit"),
    lifecycle.Action.ACCEPT: _("accepted"),
    lifecycle.Action.RETURN: _("returned to the platform"),
    lifecycle.Action.TRANSFER: _("transferred"),
    lifecycle.Action.INVITE_CO: _("co-handling units invited"),
    lifecycle.Action.CONTRIBUTE: _("co-handling part given"),
    lifecycle.Action.REQUEST_EXTENSION: _("extension requested"),
    lifecycle.Action.APPROVE_EXTENSION: _("extended"),
    lifecycle.Action.DENY_EXTENSION: _("extension denied"),
    lifecycle.Action.DRAFT_REPLY: _("reply drafted"),
    lifecycle.Action.SUBMIT_FOR_SIGNOFF: _("reply sent for sign-off"),
    lifecycle.Action.REFUSE_SIGNOFF: _("reply sent back by the head"),
    lifecycle.Action.SUBMIT_REPLY: _("reply submitted"),
    lifecycle.Action.SIGN_OFF: _("reply signed off"),
    lifecycle.Action.APPROVE_REPLY: _("replied"),
    lifecycle.Action.RETURN_REPLY: _("reply returned for revision"),
    lifecycle.Action.RATE_SATISFIED: _("rated: satisfied"),
    lifecycle.Action.RATE_UNSATISFIED: _("rated: not satisfied"),
    lifecycle.Action.FOLLOW_UP: _("follow-up question"),
    lifecycle.Action.THANK: _("thanks"),
    lifecycle.Action.ANSWER_FOLLOW_UP: _("follow-up answered"),
    lifecycle.Action.APPROVE_FOLLOW_UP_ANSWER: _("follow-up answer published"),
    lifecycle.Action.RETURN_FOLLOW_UP_ANSWER: _("follow-up answer returned for revision"),
    lifecycle.Action.REOPEN: _("reopened for a second round"),
    lifecycle.Action.CLOSE: _("closed"),
    lifecycle.Action.AUTO_CLOSE: _("closed after the rating period"),
    lifecycle.Action.SUPERVISE: _("put under supervision"),
    lifecycle.Action.INSTRUCT: _("leader's instruction"),
}

ROLE_LABELS = {
    lifecycle.Role.AUTHOR: _("the author"),
    lifecycle.Role.MODERATOR: _("moderators"),
    lifecycle.Role.HANDLER: _("the handling unit"),
    lifecycle.Role.HEAD: _("the unit head"),
    lifecycle.Role.LEADER: _("the board's leaders"),
    lifecycle.Role.OPERATOR: _("hotline operators"),
    lifecycle.Role.ADMIN: _("administrators"),
    lifecycle.Role.SYSTEM: _("the system"),
    lifecycle.Role.PUBLIC: _("the public"),
}

REJECT_REASON_LABELS = {
    lifecycle.RejectReason.SPAM: _("spam or advertising"),
    lifecycle.RejectReason.ABUSIVE: _("abusive language"),
    lifecycle.RejectReason.DUPLICATE: _("duplicate of another message"),
    lifecycle.RejectReason.NOT_ACTIONABLE: _("nothing actionable"),
    lifecycle.RejectReason.OUTSIDE_REMIT: _("outside government remit"),
    lifecycle.RejectReason.OTHER: _("other"),
}

SUPERVISION_LABELS = {
    lifecycle.SupervisionLevel.REMINDER: _("reminder"),
    lifecycle.SupervisionLevel.SUPERVISION: _("supervision"),
    lifecycle.SupervisionLevel.LISTED: _("listed supervision"),
}
