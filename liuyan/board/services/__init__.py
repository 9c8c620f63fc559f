"""Every write to a message's life: the only code that changes Message, Assignment and Reply
state. One module per stage of a message's life, sharing the step machinery in `_steps`;
everything is re-exported here, so callers write `services.submit_message(...)`."""

from ._steps import SYSTEM_ROLES
from .citizen import (
    answer_follow_up,
    follow_up,
    follow_up_from_contact,
    rate_reply,
    review_follow_up_answer,
    thank,
)
from .handling import (
    accept_assignment,
    contribute,
    decide_extension,
    invite_co_units,
    request_extension,
    return_assignment,
    transfer_assignment,
)
from .history import HistoricalMessage, import_history, prepare_public_texts, public_texts
from .intake import (
    dispatch_message,
    dispatch_urgent_call,
    mark_duplicate,
    reject_message,
    screen_message,
    submit_message,
)
from .oversight import auto_close_unrated, close_message, instruct, reopen_message, supervise
from .replies import (
    approve_reply,
    refuse_signoff,
    return_reply,
    save_reply_draft,
    sign_off_reply,
    submit_reply,
)

__all__ = [
    "SYSTEM_ROLES",
    "HistoricalMessage",
    "accept_assignment",
    "answer_follow_up",
    "approve_reply",
    "auto_close_unrated",
    "close_message",
    "contribute",
    "decide_extension",
    "dispatch_message",
    "dispatch_urgent_call",
    "follow_up",
    "follow_up_from_contact",
    "import_history",
    "instruct",
    "invite_co_units",
    "mark_duplicate",
    "prepare_public_texts",
    "public_texts",
    "rate_reply",
    "refuse_signoff",
    "reject_message",
    "reopen_message",
    "request_extension",
    "return_assignment",
    "return_reply",
    "review_follow_up_answer",
    "save_reply_draft",
    "screen_message",
    "sign_off_reply",
    "submit_message",
    "submit_reply",
    "supervise",
    "thank",
    "transfer_assignment",
]
