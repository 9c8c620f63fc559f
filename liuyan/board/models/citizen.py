"""What the citizen says after the reply: the rating, follow-ups and thanks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.core import lifecycle
from liuyan.directory.models import Board

from .handling import Assignment
from .labels import FOLLOW_UP_STATE_LABELS, _choices
from .message import Message


class Evaluation(models.Model):
    """The author's rating of a published reply (评价), one per round."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="evaluations")
    # The message's board, copied when the rating is written (a message never changes board):
    # a board's ratings of a period are read by index, not by joining the period's ratings of
    # the whole country to every message of the board (the leader overview, issue #13).
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.PositiveSmallIntegerField(default=1)
    solved = models.BooleanField(_("solved"))
    attitude = models.PositiveSmallIntegerField(_("attitude"))
    speed = models.PositiveSmallIntegerField(_("speed"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["message", "round"], name="one_evaluation_per_round"),
            models.CheckConstraint(
                condition=models.Q(attitude__gte=1, attitude__lte=5, speed__gte=1, speed__lte=5),
                name="evaluation_scores_1_to_5",
            ),
        ]
        # The ratings given lately (the leader overview's last 90 days).
        indexes = [
            models.Index(fields=["created_at"], name="evaluation_created"),
            # Covering the overview's counts (an index-only scan): the board's rows are spread
            # over the table, and reading each from the heap cost the planner more than the
            # period's rows of the whole country.
            models.Index(
                fields=["board", "created_at"],
                include=["message", "solved", "attitude", "speed"],
                name="evaluation_board_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"

    @property
    def is_satisfied(self) -> bool:
        return lifecycle.is_satisfied(solved=self.solved, attitude=self.attitude, speed=self.speed)


class FollowUp(models.Model):
    """The author's later question on the same message (追问): work for the unit that answered,
    due by a working day; its answer is reviewed by moderators and published under it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="follow_ups")
    # None: the author has no account and wrote again through the channel they came by (a reply
    # by e-mail in the thread of a message that came in by mail).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    body = models.TextField(_("follow-up"))
    public_body = models.TextField()
    created_at = models.DateTimeField()
    # The lead assignment whose published reply is asked about; its unit owes the answer.
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    # That assignment's unit, copied when the follow-up is created: the unit desks list their
    # open questions by unit, and through the assignment no index could find them (at 1M
    # messages the list read and sorted every follow-up in the country, then kept the unit's).
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    state = models.CharField(
        max_length=12,
        choices=_choices(lifecycle.FollowUpState, FOLLOW_UP_STATE_LABELS),
        default=lifecycle.FollowUpState.WAITING,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["state", "answer_by"], name="followup_state_due"),
            # The open questions (few, whatever the number of messages) in the inboxes' order.
            models.Index(
                fields=["answer_by", "id"],
                name="followup_open_due",
                condition=models.Q(
                    state__in=sorted(s.value for s in lifecycle.ANSWERABLE_FOLLOW_UP_STATES)
                ),
            ),
            # A unit's open questions in the inbox's order, read straight off the index.
            models.Index(
                fields=["unit", "answer_by", "id"],
                name="followup_unit_open_due",
                condition=models.Q(
                    state__in=sorted(s.value for s in lifecycle.ANSWERABLE_FOLLOW_UP_STATES)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"


class Thanks(models.Model):
    """The author's thanks (感谢)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="thanks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("thanks"))
    public_body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("thanks")
        verbose_name_plural = _("thanks")

    def __str__(self) -> str:
        return f"{self.message_id} · {self._meta.verbose_name}"
