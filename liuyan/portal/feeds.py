"""An Atom feed per board: its newest public messages, masked text only, no author."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from liuyan.board.selectors import public_messages
from liuyan.directory.models import Board

from .wording import status_words, type_words

FEED_ITEMS = 30


class BoardFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, board_id: int) -> Board:
        return get_object_or_404(Board, pk=board_id, is_active=True)

    def title(self, board: Board) -> str:
        return _("Messages to %(board)s") % {"board": board.name}

    def link(self, board: Board) -> str:
        return reverse("portal:board", args=[board.pk])

    def subtitle(self, board: Board) -> str:
        return _("The newest public messages on this board and their status.")

    def items(self, board: Board):
        # Only public, screened messages; the public_* fields are the masked ones.
        return (
            public_messages()
            .filter(board=board)
            .only("serial", "public_title", "public_body", "type", "state", "submitted_at")
            .order_by("-submitted_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, message) -> str:
        return message.public_title

    def item_description(self, message) -> str:
        head = f"[{type_words(message)} · {status_words(message)}] "
        return head + Truncator(message.public_body).chars(300)

    def item_link(self, message) -> str:
        return reverse("portal:message", args=[message.serial])

    def item_guid(self, message) -> str:
        return f"liuyan:message:{message.serial}"

    item_guid_is_permalink = False

    def item_pubdate(self, message):
        return message.submitted_at

    def item_updateddate(self, message):
        return message.submitted_at
