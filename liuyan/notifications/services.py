"""Writes: notifications for timeline events and deadlines, their deliveries, follows, reads.

Idempotent by construction: one notification per (event, recipient), one delivery per
(notification, channel), one reminder per (assignment, kind, deadline). A task that runs twice,
or two workers that run it at once, send nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from liuyan.accounts.models import User
from liuyan.accounts.sms import SMSError, send_sms
from liuyan.board.models import Assignment, Event, Message
from liuyan.core.lifecycle import Action, SupervisionLevel
from liuyan.directory.models import Board

from . import links, selectors, texts
from .models import ChannelChoice, Delivery, Follow, Notification, ReminderLog

logger = logging.getLogger(__name__)

# Who hears about which step. Every step that puts work on someone's desk tells them (tests/
# notifications/test_work_notifications.py walks the whole lifecycle and checks each one).
CITIZEN_ACTIONS = frozenset(
    {
        Action.DISPATCH,
        Action.APPROVE_REPLY,
        Action.REOPEN,
        Action.REJECT,
        Action.MARK_DUPLICATE,
        Action.APPROVE_FOLLOW_UP_ANSWER,
    }
)
UNIT_ACTIONS = frozenset(
    {
        Action.DISPATCH,
        Action.REDISPATCH,
        Action.URGENT_DISPATCH,
        Action.TRANSFER,
        Action.INVITE_CO,
        Action.REOPEN,
    }
)
# An urgent call sent straight to a unit by the operator still waits for the moderators'
# screening (its public text is unchecked), so they hear of it as well as the unit.
MODERATOR_ACTIONS = frozenset(
    {
        Action.RETURN,
        Action.RATE_UNSATISFIED,
        Action.REQUEST_EXTENSION,
        Action.ANSWER_FOLLOW_UP,
        Action.URGENT_DISPATCH,
    }
)
# Work for the unit that holds the event's assignment: its handlers (or heads, if it has none).
UNIT_WORK_ACTIONS = frozenset(
    {
        Action.RETURN_REPLY,
        Action.REFUSE_SIGNOFF,
        Action.APPROVE_EXTENSION,
        Action.DENY_EXTENSION,
        Action.FOLLOW_UP,
        Action.RETURN_FOLLOW_UP_ANSWER,
    }
)
HEAD_ACTIONS = frozenset({Action.SUBMIT_FOR_SIGNOFF})  # the head must sign the reply
OVERSIGHT_ACTIONS = frozenset({Action.SUPERVISE, Action.INSTRUCT})
NOTIFYING_ACTIONS = (
    CITIZEN_ACTIONS
    | UNIT_ACTIONS
    | MODERATOR_ACTIONS
    | UNIT_WORK_ACTIONS
    | HEAD_ACTIONS
    | OVERSIGHT_ACTIONS
)
BATCH = 500


@dataclass
class Planned:
    """A notification to create for one recipient, with the outside channels to use."""

    user: User
    text: texts.Text
    url: str
    channels: set[str] = field(default_factory=set)


def _email_channel(user) -> set[str]:
    return {Delivery.Channel.EMAIL} if user.email else set()


def _plan_for_units(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    for assignment in selectors.new_assignments(event):
        text = texts.for_unit(assignment, message)
        url = links.unit_url(assignment.pk)
        for user in selectors.unit_staff([assignment.unit_id]):
            plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan_for_moderators(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    url = links.moderator_url(message.pk)
    text = texts.for_moderator(event, message)
    for user in selectors.moderators_covering(message):
        plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan_for_citizens(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    url = links.citizen_url(message)
    text = texts.for_citizen(event, message)
    close = selectors.author_and_message_followers(message)
    everyone = close | selectors.board_followers(message)
    for user in selectors.citizens_who_may_see(message, everyone):
        channels = _email_channel(user)
        # Texts cost money and interrupt: only for the author and followers of this message,
        # not for everyone who follows the whole board.
        if user.phone and user.pk in close:
            channels.add(Delivery.Channel.SMS)
        plans.setdefault(user.pk, Planned(user, text, url, channels))


def _plan_unit_work(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    """The unit of the event's assignment has something to do on it."""
    assignment = event.assignment
    if assignment is None:
        return
    text = texts.for_unit_work(event, message)
    url = links.unit_url(assignment.pk)
    for user in selectors.unit_staff([assignment.unit_id]):
        plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan_for_heads(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    assignment = event.assignment
    if assignment is None:
        return
    text = texts.for_unit_work(event, message)
    url = links.unit_url(assignment.pk)
    for user in selectors.unit_heads([assignment.unit_id]):
        plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan_oversight(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    """Supervision (催办/督办/挂牌督办) and a leader's instruction (批示): the units working on
    the message, and their heads unless it is a mere reminder; moderators follow it through
    (for supervision only when no unit holds the message: then it is theirs to move)."""
    action = Action(event.action)
    level = selectors.supervision_level(event) if action is Action.SUPERVISE else None
    text = texts.for_oversight(event, message, level)
    active = selectors.active_assignments(message)
    for assignment in active:
        url = links.unit_url(assignment.pk)
        people = list(selectors.unit_staff([assignment.unit_id]))
        if level != SupervisionLevel.REMINDER:
            people += list(selectors.unit_heads([assignment.unit_id]))
        for user in people:
            plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))
    if action is Action.INSTRUCT or not active:
        url = links.moderator_url(message.pk)
        for user in selectors.moderators_covering(message):
            plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan_for_overseers(event: Event, message: Message, plans: dict[int, Planned]) -> None:
    """The leaders (and moderators) who wrote an instruction on the message or ordered its
    supervision hear that it has been answered: the outcome of their order."""
    text = texts.for_citizen(event, message)
    for user, is_leader in selectors.overseers(message):
        url = links.leader_url(message.pk) if is_leader else links.moderator_url(message.pk)
        plans.setdefault(user.pk, Planned(user, text, url, _email_channel(user)))


def _plan(event: Event) -> dict[int, Planned]:
    """Who is told what about `event`: staff with work to do first, then the public side."""
    action = Action(event.action)
    message = event.message
    plans: dict[int, Planned] = {}
    if action in UNIT_ACTIONS:
        _plan_for_units(event, message, plans)
    if action in HEAD_ACTIONS:
        _plan_for_heads(event, message, plans)
    if action in UNIT_WORK_ACTIONS:
        _plan_unit_work(event, message, plans)
    if action in OVERSIGHT_ACTIONS:
        _plan_oversight(event, message, plans)
    if action in MODERATOR_ACTIONS:
        _plan_for_moderators(event, message, plans)
    if action in CITIZEN_ACTIONS:
        _plan_for_citizens(event, message, plans)
    if action is Action.APPROVE_REPLY:
        _plan_for_overseers(event, message, plans)
    if event.actor_id is not None:
        plans.pop(event.actor_id, None)  # nobody needs to hear about their own step
    return plans


def _store(
    plans: Iterable[Planned], *, message: Message | None, event: Event | None, at
) -> list[int]:
    """Create the notifications and their deliveries; existing ones are left as they are."""
    plans = list(plans)
    ids: list[int] = []
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        ids += _store_batch(batch, message=message, event=event, at=at)
    return ids


def _drop_unchosen_channels(batch: list[Planned]) -> None:
    """Take out the outside channels people turned off (one query for the batch)."""
    turned_off = {
        choice.user_id: choice
        for choice in ChannelChoice.objects.filter(
            Q(email=False) | Q(sms=False), user_id__in=[plan.user.pk for plan in batch]
        )
    }
    for plan in batch:
        choice = turned_off.get(plan.user.pk)
        if choice is not None:
            if not choice.email:
                plan.channels.discard(Delivery.Channel.EMAIL)
            if not choice.sms:
                plan.channels.discard(Delivery.Channel.SMS)


def _store_batch(batch: list[Planned], *, message, event, at) -> list[int]:
    _drop_unchosen_channels(batch)
    with transaction.atomic():
        created = [
            Notification(
                recipient=plan.user,
                kind=plan.text.kind,
                title=plan.text.title[:200],
                body=plan.text.body,
                url=plan.url,
                message=message,
                event=event,
                created_at=at,
            )
            for plan in batch
        ]
        if event is not None:
            Notification.objects.bulk_create(created, ignore_conflicts=True)
            by_user = dict(
                Notification.objects.filter(
                    event=event, recipient_id__in=[plan.user.pk for plan in batch]
                ).values_list("recipient_id", "id")
            )
        else:
            by_user = {n.recipient_id: n.pk for n in Notification.objects.bulk_create(created)}
        deliveries = [
            Delivery(notification_id=by_user[plan.user.pk], channel=channel)
            for plan in batch
            for channel in sorted(plan.channels)
            if plan.user.pk in by_user
        ]
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return list(by_user.values())


def notify_staff(
    *, users: Iterable[User], kind: str, title: str, body: str, url: str, at
) -> list[int]:
    """In-app notifications (with an e-mail where the user has an address) about something that
    is not one message's step, such as a published digest issue. Returns the notification ids;
    their deliveries are sent by `send_deliveries`."""
    text = texts.Text(kind, title, body)
    plans = [Planned(user, text, url, _email_channel(user)) for user in users]
    return _store(plans, message=None, event=None, at=at)


def notify_for_event(event_id: int, *, now: datetime | None = None) -> int:
    """Create (once) the notifications an event calls for, then send their e-mails and texts.

    Returns how many notifications exist for the event afterwards.
    """
    event = (
        Event.objects.select_related("message__region", "message__board", "unit", "assignment")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.action not in NOTIFYING_ACTIONS:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        plans = _plan(event)
        ids = _store(plans.values(), message=event.message, event=event, at=now or timezone.now())
    send_deliveries(Delivery.objects.filter(notification_id__in=ids))
    return Notification.objects.filter(event=event).count()


# --- sending ------------------------------------------------------------------------------
#
# A worker claims a delivery before sending it: one conditional UPDATE moves it to "sending",
# counts the attempt and sets a lease. The UPDATE only matches a row that is still claimable and
# still has the attempt count the worker read, so of two workers (or a worker and `tick`) racing
# for one delivery exactly one matches, on SQLite (one writer at a time) and on PostgreSQL (the
# loser's UPDATE waits for the row lock, re-reads the row and no longer matches). The claim is
# its own short statement, never a lock held across the SMTP conversation, so nothing needs
# SKIP LOCKED. The outcome is recorded only while the claim is still the worker's own.
#
# A worker killed mid-send leaves its delivery "sending"; once the lease is over, the sweep in
# `liuyan tick` claims it again, at most once per lease, until the attempts run out. An e-mail
# that went out just before the crash may then go out twice: at least once, not exactly once.


def _lease() -> timedelta:
    return timedelta(seconds=settings.LIUYAN_DELIVERY_LEASE_SECONDS)


def _max_attempts() -> int:
    return settings.LIUYAN_DELIVERY_MAX_ATTEMPTS


def _abandoned(now: datetime) -> Q:
    """Claimed by a worker whose lease ran out (rows from before leases have none)."""
    return Q(status=Delivery.Status.SENDING) & (
        Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    )


def _claimable(now: datetime) -> Q:
    return (Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]) | _abandoned(now)) & Q(
        attempts__lt=_max_attempts()
    )


def _claim(delivery: Delivery, now: datetime) -> int | None:
    """Take a delivery for sending. Returns the attempt number the claim holds, or None when
    another worker has it (or it is done, or out of attempts)."""
    attempt = delivery.attempts + 1
    claimed = (
        Delivery.objects.filter(_claimable(now), pk=delivery.pk, attempts=delivery.attempts).update(
            status=Delivery.Status.SENDING,
            attempts=attempt,
            claimed_at=now,
            lease_until=now + _lease(),
        )
        == 1
    )
    return attempt if claimed else None


def _record_outcome(delivery: Delivery, attempt: int, **fields) -> bool:
    """Write the result of our attempt, unless the lease ran out and someone else took over."""
    recorded = (
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, attempts=attempt
        ).update(lease_until=None, **fields)
        == 1
    )
    if not recorded:
        logger.warning("Delivery %s: attempt %s outlived its lease", delivery.pk, attempt)
    return recorded


def _send_one(delivery: Delivery) -> None:
    notification = delivery.notification
    user = notification.recipient
    link = links.absolute(links.target_url(notification))
    if delivery.channel == Delivery.Channel.EMAIL:
        send_mail(
            subject=notification.title,
            message=texts.email_text(notification, link),
            from_email=None,
            recipient_list=[user.email],
        )
    else:
        send_sms(user.phone, texts.sms_text(notification, link))


def _attempt(delivery: Delivery) -> str | None:
    """Claim, send and record one delivery: "sent", "failed", or None if not ours to send."""
    attempt = _claim(delivery, timezone.now())
    if attempt is None:
        return None
    try:
        _send_one(delivery)
    except (SMSError, OSError) as error:  # SMTP errors are OSErrors
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.channel, error)
        if attempt >= _max_attempts():
            logger.error("Delivery %s gave up after %s attempts", delivery.pk, attempt)
        _record_outcome(delivery, attempt, status=Delivery.Status.FAILED, error=str(error)[:300])
        return "failed"
    _record_outcome(
        delivery, attempt, status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )
    return "sent"


def send_deliveries(deliveries) -> dict[str, int]:
    """Send each delivery in `deliveries` that is pending, failed earlier, or abandoned by a dead
    worker; record the outcome on it."""
    counts = {"sent": 0, "failed": 0}
    claimable = deliveries.filter(_claimable(timezone.now())).select_related(
        "notification__recipient"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for delivery in claimable.order_by("pk"):
            outcome = _attempt(delivery)
            if outcome is not None:
                counts[outcome] += 1
    return counts


def give_up_abandoned_deliveries(now: datetime | None = None) -> int:
    """Mark failed, for good, the deliveries whose last allowed attempt died with its worker."""
    now = now or timezone.now()
    given_up = Delivery.objects.filter(_abandoned(now), attempts__gte=_max_attempts()).update(
        status=Delivery.Status.FAILED,
        lease_until=None,
        error="the worker stopped while sending (lease expired); no attempts left",
    )
    if given_up:
        logger.error("%s deliveries failed for good: their last worker died mid-send", given_up)
    return given_up


def retry_failed_deliveries(now: datetime | None = None) -> dict[str, int]:
    """The sweep for `liuyan tick`: send again what failed (up to the attempt limit), what a dead
    worker left "sending" past its lease, and what stayed pending for a whole lease (its task
    died before sending)."""
    now = now or timezone.now()
    give_up_abandoned_deliveries(now)
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.FAILED)
        | _abandoned(now)
        | Q(status=Delivery.Status.PENDING, notification__created_at__lt=now - _lease())
    )
    return send_deliveries(due)


def prune_old_notifications(*, now: datetime | None = None) -> int:
    """For `liuyan tick`: delete notifications older than LIUYAN_RETENTION_NOTIFICATION_DAYS,
    with their finished deliveries. One still waiting to be sent is kept until it is."""
    at = now or timezone.now()
    cutoff = at - timedelta(days=settings.LIUYAN_RETENTION_NOTIFICATION_DAYS)
    unsent = Delivery.objects.filter(
        notification=OuterRef("pk"), status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    old = Notification.objects.filter(created_at__lt=cutoff).exclude(Exists(unsent))
    _total, per_model = old.delete()
    return per_model.get(Notification._meta.label, 0)


# --- reminders ----------------------------------------------------------------------------


def remind_once(
    assignment: Assignment,
    kind: str,
    deadline: datetime,
    now: datetime,
    *,
    follow_up: bool = False,
) -> int:
    """Tell the unit about one deadline (its assignment's, or with `follow_up` the answer to a
    follow-up question), unless this reminder was already sent. Returns the number of
    notifications created."""
    try:
        with transaction.atomic():
            _, created = ReminderLog.objects.get_or_create(
                assignment=assignment, kind=kind, deadline=deadline, defaults={"sent_at": now}
            )
            if not created:
                return 0
            with translation.override(settings.LANGUAGE_CODE):
                text = texts.for_reminder(assignment, kind, deadline, follow_up=follow_up)
            url = links.unit_url(assignment.pk)
            plans = [
                Planned(user, text, url, _email_channel(user))
                for user in selectors.unit_staff([assignment.unit_id])
            ]
            ids = _store(plans, message=assignment.message, event=None, at=now)
    except IntegrityError:  # another tick logged the same reminder at the same moment
        return 0
    send_deliveries(Delivery.objects.filter(notification_id__in=ids))
    return len(ids)


# --- follows and reading ------------------------------------------------------------------


def follow_message(*, user, message: Message, now: datetime | None = None) -> Follow:
    follow, _ = Follow.objects.get_or_create(
        user=user, message=message, defaults={"created_at": now or timezone.now()}
    )
    return follow


def unfollow_message(*, user, message: Message) -> None:
    Follow.objects.filter(user=user, message=message).delete()


def follow_board(*, user, board: Board, now: datetime | None = None) -> Follow:
    follow, _ = Follow.objects.get_or_create(
        user=user, board=board, defaults={"created_at": now or timezone.now()}
    )
    return follow


def unfollow_board(*, user, board: Board) -> None:
    Follow.objects.filter(user=user, board=board).delete()


def mark_read(*, user, notification_id: int, now: datetime | None = None) -> Notification | None:
    """Mark one of the user's own notifications read; someone else's is not found."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def choose_channels(*, user, email: bool, sms: bool) -> ChannelChoice:
    """Keep the user's choice of outside channels; the inbox always gets everything."""
    choice, _ = ChannelChoice.objects.update_or_create(
        user=user, defaults={"email": email, "sms": sms}
    )
    return choice


def mark_all_read(*, user, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
