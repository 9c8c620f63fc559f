"""Writes for the weekly digest 民声摘报: compile a draft, publish it as 第N期, and record a
leader's 批示 on an item, which puts the item's messages under supervision.

Every change of a message goes through the board's lifecycle services (`instruct`,
`supervise`), which check the leader's right and leave an Event; this module only links the
digest to what they created.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from liuyan.board import services as board
from liuyan.board.access import StaffScope, region_subtree_ids, staff_scope
from liuyan.board.models import Message
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import SupervisionLevel
from liuyan.directory.models import Region, Unit

from . import digest_selectors as sel
from .digest_models import Digest, DigestItem, DigestItemMessage, ItemInstruction, ItemProgress
from .signals import digest_published

TITLE_MAX = 100
SUMMARY_MAX = 2000


def _require(condition: bool, message: str, field: str | None = None) -> None:
    if not condition:
        raise ValidationError({field: message} if field else message)


def _compiler(actor, region: Region) -> StaffScope:
    scope = staff_scope(actor)
    if not sel.may_compile(scope, region):
        raise PermissionDenied(_("Only moderators of this region compile its digest."))
    return scope


def _draft(digest_id: int, actor) -> Digest:
    digest = Digest.objects.select_for_update().select_related("region").get(pk=digest_id)
    _compiler(actor, digest.region)
    _require(not digest.is_published, _("A published issue can no longer be changed."))
    return digest


@transaction.atomic
def create_digest(*, region: Region, actor, now: datetime, since: datetime) -> Digest:
    _compiler(actor, region)
    _require(since < now, _("The period must end after it starts."), "since")
    return Digest.objects.create(
        region=region,
        year=now.astimezone(SHANGHAI).year,
        period_start=since,
        period_end=now,
        created_by=actor,
        created_at=now,
    )


def _clean_text(title: str, summary: str) -> tuple[str, str]:
    title, summary = title.strip(), summary.strip()
    _require(bool(title), _("Give the item a title."), "title")
    _require(len(title) <= TITLE_MAX, _("The title is too long."), "title")
    _require(bool(summary), _("Write a short summary."), "summary")
    _require(len(summary) <= SUMMARY_MAX, _("The summary is too long."), "summary")
    return title, summary


@transaction.atomic
def add_item(
    *, digest_id: int, actor, kind: str, title: str, summary: str, message_ids: Sequence[int]
) -> DigestItem:
    digest = _draft(digest_id, actor)
    title, summary = _clean_text(title, summary)
    _require(kind in DigestItem.Kind.values, _("Unknown kind of item."), "kind")
    ids = list(dict.fromkeys(message_ids))
    _require(bool(ids), _("Link the item to at least one message."), "messages")
    regions = region_subtree_ids({digest.region_id})
    found = set(
        Message.objects.filter(pk__in=ids, region_id__in=regions).values_list("pk", flat=True)
    )
    _require(len(found) == len(ids), _("Some messages are not in this region."), "messages")
    last = digest.items.aggregate(last=Max("position"))["last"] or 0
    item = DigestItem.objects.create(
        digest=digest, position=last + 1, kind=kind, title=title, summary=summary
    )
    DigestItemMessage.objects.bulk_create(DigestItemMessage(item=item, message_id=i) for i in ids)
    return item


@transaction.atomic
def add_proposal(*, digest_id: int, actor, key: str, now: datetime) -> DigestItem:
    """Add one of the system's proposals, found again by its key."""
    digest = Digest.objects.select_related("region").get(pk=digest_id)
    proposals = {p.key: p for p in sel.propose(digest.region, now=now, since=digest.period_start)}
    proposal = proposals.get(key)
    _require(proposal is not None, _("That proposal is no longer current."))
    assert proposal is not None
    return add_item(
        digest_id=digest_id,
        actor=actor,
        kind=proposal.kind,
        title=proposal.title[:TITLE_MAX],
        summary=proposal.summary,
        message_ids=proposal.message_ids,
    )


@transaction.atomic
def edit_item(*, item_id: int, actor, title: str, summary: str) -> DigestItem:
    item = DigestItem.objects.get(pk=item_id)
    _draft(item.digest_id, actor)
    item.title, item.summary = _clean_text(title, summary)
    item.save(update_fields=["title", "summary"])
    return item


@transaction.atomic
def move_item(*, item_id: int, actor, up: bool) -> None:
    item = DigestItem.objects.get(pk=item_id)
    digest = _draft(item.digest_id, actor)
    items = list(digest.items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    swap = index - 1 if up else index + 1
    if 0 <= swap < len(items):
        items[index], items[swap] = items[swap], items[index]
    for position, row in enumerate(items, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


@transaction.atomic
def remove_item(*, item_id: int, actor) -> None:
    item = DigestItem.objects.get(pk=item_id)
    _draft(item.digest_id, actor)
    item.delete()


@transaction.atomic
def set_foreword(*, digest_id: int, actor, foreword: str) -> Digest:
    digest = _draft(digest_id, actor)
    digest.foreword = foreword.strip()[:SUMMARY_MAX]
    digest.save(update_fields=["foreword"])
    return digest


@transaction.atomic
def publish(*, digest_id: int, actor, now: datetime) -> Digest:
    """Number the issue (第N期 of the region's year), freeze the progress of earlier instructed
    items, and tell the region's leaders."""
    digest = _draft(digest_id, actor)
    _require(digest.items.exists(), _("An issue needs at least one item."))
    # Lock the region's issues of the year, so two publications cannot take the same number
    # (the unique constraint would refuse the second anyway).
    numbers = Digest.objects.select_for_update().filter(
        region=digest.region, year=digest.year, number__isnull=False
    )
    digest.number = (numbers.aggregate(last=Max("number"))["last"] or 0) + 1
    digest.status, digest.published_at, digest.published_by = Digest.Status.PUBLISHED, now, actor
    digest.save()
    for position, item in enumerate(sel.items_to_report(digest), start=1):
        state = sel.item_state(item, now=now)
        ItemProgress.objects.create(
            digest=digest,
            item=item,
            position=position,
            solved=state.solved,
            overdue=state.overdue,
            messages_total=state.messages_total,
            messages_replied=state.messages_replied,
            note=_progress_note(item, state),
        )
    digest_published.send(
        sender=Digest, digest=digest, recipient_ids=sel.region_leader_ids(digest.region)
    )
    return digest


def _progress_note(item: DigestItem, state: sel.ItemState) -> str:
    if state.solved:
        return _("Solved: all %(n)d messages answered.") % {"n": state.messages_total}
    note = _("%(replied)d of %(n)d messages answered.") % {
        "replied": state.messages_replied,
        "n": state.messages_total,
    }
    if state.overdue:
        note += _(" Past the date set in the instruction.")
    return note


@transaction.atomic
def instruct_item(
    *,
    item_id: int,
    actor,
    body: str,
    units: Sequence[Unit],
    due_at: datetime,
    now: datetime,
) -> ItemInstruction:
    """A leader's 批示 on a published item: recorded on each of its messages (an Instruction and
    an Event each), which are put under supervision (督办) until `due_at`, naming `units`."""
    item = DigestItem.objects.select_related("digest__region").get(pk=item_id)
    digest = item.digest
    _require(digest.is_published, _("Instructions are written on published issues."))
    if not sel.leads_region(staff_scope(actor), digest.region):
        raise PermissionDenied(_("Only the region's leaders write instructions on its digest."))
    not_led = sel.messages_not_led(actor, item)
    _require(
        not not_led,
        _("You do not lead messages %(serials)s of this item: their own leaders instruct them.")
        % {"serials": "、".join(m.serial for m in not_led)},
    )
    body = body.strip()
    _require(len(body) >= 2, _("Write the instruction."), "body")
    _require(bool(units), _("Name at least one responsible unit."), "units")
    _require(due_at > now, _("The due date must be in the future."), "due_at")
    names = "、".join(unit.name for unit in units)
    note = _("Leader's instruction: %(body)s Responsible: %(units)s.") % {
        "body": body,
        "units": names,
    }
    instruction = ItemInstruction.objects.create(
        item=item, author=actor, body=body, due_at=due_at, created_at=now
    )
    instruction.units.set(units)
    for message_id in item.messages.order_by("pk").values_list("pk", flat=True):
        instruction.board_instructions.add(
            board.instruct(message_id=message_id, actor=actor, body=body, now=now)
        )
        supervision = board.supervise(
            message_id=message_id,
            actor=actor,
            level=SupervisionLevel.SUPERVISION,
            due_at=due_at,
            note=note,
            now=now,
        )
        instruction.supervisions.add(supervision)
    due = max(s.due_at for s in instruction.supervisions.all())
    if due != instruction.due_at:
        instruction.due_at = due  # the end of that working day, as the supervisions have it
        instruction.save(update_fields=["due_at"])
    return instruction
