"""The hotline console's writes: a caller's message entered by an operator during the call,
the serial texted to the caller, and the "transfer to unit now" path for urgent calls.

The SMS is sent by a task, queued in the entering transaction (with the database task backend
it commits with the message or not at all), so the operator never waits for the SMS gateway;
the task reads the number from the encrypted contact row, so the task table holds no number.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from liuyan.accounts.crypto import phone_hash
from liuyan.board import access, services
from liuyan.board.models import Message
from liuyan.directory.models import Board, Domain, Region, Unit

from .tasks import text_serial_to_caller


@transaction.atomic
def enter_call(
    *,
    operator,
    board: Board,
    type: str,
    title: str,
    body: str,
    caller_phone: str,
    caller_name: str = "",
    region: Region | None = None,
    domain: Domain | None = None,
    place: str = "",
    is_public: bool = False,
    is_urgent: bool = False,
    transfer_to: Unit | None = None,
    now: datetime | None = None,
) -> Message:
    """Enter the caller's message (channel = hotline); with `transfer_to`, an urgent call goes
    straight to that unit through the lifecycle's urgent dispatch."""
    message = services.submit_message(
        author=None,
        entered_by=operator,
        channel=Message.Channel.HOTLINE,
        board=board,
        type=type,
        domain=domain,
        region=region,
        title=title,
        body=body,
        place=place,
        is_public=is_public,
        is_urgent=is_urgent,
        contact={"name": caller_name, "phone": caller_phone},
        now=now,
    )
    if transfer_to is not None:
        message = services.dispatch_urgent_call(
            message_id=message.pk, actor=operator, lead_unit=transfer_to, now=now
        )
    text_serial_to_caller.enqueue(message.pk)
    return message


def caller_history(scope: access.StaffScope, phone: str, *, limit: int = 10) -> QuerySet[Message]:
    """The messages from this number the operator may see, newest first: found by the keyed
    look-up hash (numbers are encrypted at rest), shown while the call goes on."""
    digest = phone_hash(phone)
    if not digest:
        return Message.objects.none()
    return access.messages_from_phone(scope, digest).select_related("board")[:limit]
