"""One keyset pager for every list on the site.

A page is the rows after a cursor in (key, id) order, fetched with one extra row to tell whether
more follow: no OFFSET and no COUNT, so page 1000 costs what page 1 costs. The cursor is the last
row's (key, id), written in the link to the next page; a cursor this site did not write, or one
of another list, is ignored and the list starts from the top.

The lists predate this module and their links are bookmarked, so each keeps its own cursor text
(a `CursorFormat`): the desk writes `<ISO time or integer>~<id>`, the portal
`<microseconds>_<id>`, the lists ordered by id alone (audit trail, notifications) just `<id>`.

Request plumbing only: this imports no liuyan app, so every app may use it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Protocol

from django.db.models import Q, QuerySet

from .inputs import parse_id, parse_int


@dataclass
class Page:
    items: list = field(default_factory=list)
    next_cursor: str | None = None


class CursorFormat(Protocol):
    def encode(self, value: object, pk: int) -> str: ...

    def decode(self, text: str) -> tuple[object, int] | None:
        """(key value, id), or None for a cursor this format did not write."""
        ...


class KeyAndId:
    """`<value>~<id>`: the value an ISO date-time (read back in UTC) or an integer."""

    def encode(self, value: object, pk: int) -> str:
        text = value.isoformat() if isinstance(value, datetime) else str(value)
        return f"{text}~{pk}"

    def decode(self, text: str) -> tuple[object, int] | None:
        value, _, pk = text.rpartition("~")
        row_id = parse_id(pk)
        if not value or row_id is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except ValueError:  # an integer key, or junk
            number = parse_int(value)
            return (number, row_id) if number is not None else None
        except OverflowError:  # a date beyond year 9999 once in UTC
            return None
        return moment, row_id


class MicrosAndId:
    """`<microseconds since the epoch>_<id>`, for a date-time key."""

    def encode(self, value: object, pk: int) -> str:
        if not isinstance(value, datetime):
            raise TypeError("MicrosAndId pages by a date-time key")
        return f"{int(value.timestamp() * 1_000_000)}_{pk}"

    def decode(self, text: str) -> tuple[object, int] | None:
        try:
            micros, pk = text.split("_")
            moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
            return moment, int(pk)
        except (ValueError, OverflowError, OSError):
            return None


class IdOnly:
    """`<id>`, for lists ordered by id alone (key "pk")."""

    def encode(self, value: object, pk: int) -> str:
        return str(pk)

    def decode(self, text: str) -> tuple[object, int] | None:
        row_id = parse_id(text)
        return (row_id, row_id) if row_id is not None else None


KEY_AND_ID, MICROS_AND_ID, ID_ONLY = KeyAndId(), MicrosAndId(), IdOnly()


def keyset_page(
    queryset: QuerySet,
    *,
    size: int,
    key: str = "pk",
    cursor: str | None = None,
    descending: bool = False,
    cursor_format: CursorFormat = KEY_AND_ID,
) -> Page:
    """One page of `queryset` after `cursor`, ordered by (`key`, id); `key` must not be null on
    the rows listed and may follow relations (`assignment__reply_by`)."""
    by_id = key == "pk"
    order: tuple[str, ...] = ("pk",) if by_id else (key, "pk")
    if descending:
        order = tuple(f"-{name}" for name in order)
    queryset = queryset.order_by(*order)
    decoded = cursor_format.decode(cursor) if cursor else None
    if decoded is not None:
        value, pk = decoded
        op = "lt" if descending else "gt"
        after = Q(**{f"pk__{op}": pk})
        if not by_id:
            after = Q(**{f"{key}__{op}": value}) | Q(**{key: value}, **{f"pk__{op}": pk})
        # A cursor of another list (a number for a date key, or the other way round) is
        # ignored: the list starts from the top.
        with contextlib.suppress(TypeError, ValueError):
            queryset = queryset.filter(after)
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return Page(rows)
    last = rows[size - 1]
    value = last.pk if by_id else attrgetter(key.replace("__", "."))(last)
    return Page(rows[:size], cursor_format.encode(value, last.pk))
