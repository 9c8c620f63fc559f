"""Messages and everything that happens to them, one module per topic, all re-exported here.

Models hold data and small derived properties. Every change of state is made by
`board.services`, which checks it with `liuyan.core.lifecycle` and appends an Event.
"""

from .attachments import Attachment, attachment_path
from .citizen import Evaluation, FollowUp, Thanks
from .events import Event, EventQuerySet
from .handling import Assignment, Contribution, ExtensionRequest, Reply
from .labels import (
    ACTION_LABELS,
    ASSIGNMENT_STATE_LABELS,
    REJECT_REASON_LABELS,
    REPLY_STATE_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    SUPERVISION_LABELS,
)
from .message import Message, MessageContact, SerialCounter
from .oversight import Instruction, Supervision

__all__ = [
    "ACTION_LABELS",
    "ASSIGNMENT_STATE_LABELS",
    "REJECT_REASON_LABELS",
    "REPLY_STATE_LABELS",
    "ROLE_LABELS",
    "STATE_LABELS",
    "SUPERVISION_LABELS",
    "Assignment",
    "Attachment",
    "Contribution",
    "Evaluation",
    "Event",
    "EventQuerySet",
    "ExtensionRequest",
    "FollowUp",
    "Instruction",
    "Message",
    "MessageContact",
    "Reply",
    "SerialCounter",
    "Supervision",
    "Thanks",
    "attachment_path",
]
