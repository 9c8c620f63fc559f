"""Export of messages with their replies and timelines to CSV, XLSX and JSON Lines.

Messages are read in keyset order (by id, a few thousand at a time, each chunk with its replies
and events in two more queries), and every format is written as a stream of pieces by
liuyan.web.tables, so a million messages need no more memory than one chunk: the pages send the
pieces with a StreamingHttpResponse, `liuyan export` writes them to a file.

Contact details are never exported (they stay in MessageContact, behind `access.can_see_contact`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from liuyan.board.models import Event, Message, Reply
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import ReplyState
from liuyan.web import tables

CHUNK = 2000
FORMATS = tables.FORMATS
CONTENT_TYPES = tables.CONTENT_TYPES
COLUMNS = [
    "serial",
    "board",
    "region",
    "domain",
    "type",
    "channel",
    "state",
    "is_public",
    "is_urgent",
    "title",
    "body",
    "likes",
    "submitted_at",
    "replied_at",
    "closed_at",
    "replies",
    "timeline",
]


@dataclass(frozen=True)
class ExportFilter:
    board_id: int | None = None
    state: str = ""
    channel: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def apply(self, messages: QuerySet[Message]) -> QuerySet[Message]:
        if self.board_id:
            messages = messages.filter(board_id=self.board_id)
        if self.state:
            messages = messages.filter(state=self.state)
        if self.channel:
            messages = messages.filter(channel=self.channel)
        if self.since:
            start = datetime.combine(self.since, time.min, tzinfo=SHANGHAI)
            messages = messages.filter(submitted_at__gte=start)
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=SHANGHAI)
            messages = messages.filter(submitted_at__lt=end)
        return messages


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def records(messages: QuerySet[Message], *, chunk: int = CHUNK) -> Iterator[dict]:
    """One dict per message, with its published replies and its timeline, in id order."""
    base = messages.order_by().select_related("board", "region", "domain")
    for rows in tables.chunks_by_id(base, chunk):
        ids = [m.pk for m in rows]
        replies: dict[int, list[dict]] = defaultdict(list)
        for reply in (
            Reply.objects.filter(message_id__in=ids, state=ReplyState.PUBLISHED)
            .select_related("unit")
            .order_by("message_id", "published_at", "pk")
        ):
            replies[reply.message_id].append(
                {"unit": reply.unit.name, "at": _local(reply.published_at), "body": reply.body}
            )
        timeline: dict[int, list[dict]] = defaultdict(list)
        for event in (
            Event.objects.filter(message_id__in=ids)
            .select_related("unit")
            .order_by("message_id", "seq")
        ):
            timeline[event.message_id].append(
                {
                    "at": _local(event.at),
                    "action": event.action,
                    "label": event.action_label,
                    "unit": event.unit.name if event.unit else "",
                    "to_state": event.to_state,
                    "note": event.note,
                }
            )
        for message in rows:
            yield {
                "serial": message.serial,
                "board": message.board.name,
                "region": message.region.name,
                "domain": message.domain.name if message.domain else "",
                "type": message.type,
                "channel": message.channel,
                "state": message.state,
                "is_public": message.is_public,
                "is_urgent": message.is_urgent,
                "title": message.title,
                "body": message.body,
                "likes": message.likes,
                "submitted_at": _local(message.submitted_at),
                "replied_at": _local(message.replied_at),
                "closed_at": _local(message.closed_at),
                "replies": replies.get(message.pk, []),
                "timeline": timeline.get(message.pk, []),
            }


def _flat(record: dict) -> list:
    """A record as one spreadsheet row: replies and timeline as text, one line each."""
    row = [record[name] for name in COLUMNS[:-2]]
    row.append("\n".join(f"{r['at']} {r['unit']}: {r['body']}" for r in record["replies"]))
    row.append(
        "\n".join(
            " ".join(part for part in (e["at"], str(e["label"]), e["unit"], e["note"]) if part)
            for e in record["timeline"]
        )
    )
    return row


def _rows(messages: QuerySet[Message]) -> Iterator[list]:
    return (_flat(record) for record in records(messages))


def _labelled(messages: QuerySet[Message]) -> Iterator[dict]:
    for record in records(messages):
        for event in record["timeline"]:
            event["label"] = str(event["label"])
        yield record


def csv_pieces(messages: QuerySet[Message]) -> Iterator[bytes]:
    return tables.csv_pieces(_headers(), _rows(messages))


def jsonl_pieces(messages: QuerySet[Message]) -> Iterator[bytes]:
    return tables.jsonl_pieces(_labelled(messages))


def xlsx_pieces(messages: QuerySet[Message], *, piece: int = 64 * 1024) -> Iterator[bytes]:
    return tables.xlsx_pieces(_("messages"), _headers(), _rows(messages), piece=piece)


def _headers() -> list[str]:
    return [str(HEADERS.get(name, name)) for name in COLUMNS]


# The column names of the provincial board's export where there is one (留言编号 … 答复意见), so
# that an export can be read by `liuyan import` and by the tools that read that format.
HEADERS = {
    "serial": "留言编号",
    "board": "留言板块",
    "region": "行政区划",
    "domain": "领域分类",
    "type": "留言类型",
    "channel": "渠道",
    "state": "办理状态",
    "is_public": "公开",
    "is_urgent": "紧急",
    "title": "留言主题",
    "body": "留言详情",
    "likes": "点赞数",
    "submitted_at": "留言时间",
    "replied_at": "答复时间",
    "closed_at": "办结时间",
    "replies": "答复意见",
    "timeline": "办理记录",
}


def pieces(fmt: str, messages: QuerySet[Message]) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_pieces(messages)
    if fmt == "jsonl":
        return jsonl_pieces(messages)
    if fmt == "xlsx":
        return xlsx_pieces(messages)
    raise ValueError(fmt)
