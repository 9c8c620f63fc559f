"""The roll-up tables. Written only by `reports.figures.services`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message

from .measures import ACCEPT_HIST, COUNTS, REPLY_HIST


class MessageFigures(models.Model):
    """One message's facts as the roll-ups last counted them (see `measures.Facts`).

    The next step subtracts what these facts added and adds what the new facts add, so a
    message that changes slice (domain or type corrected at screening, another lead unit)
    moves its counts. The columns also answer "which messages are behind this figure".
    """

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    day = models.DateField()
    is_public = models.BooleanField()
    level = models.PositiveSmallIntegerField()
    board_id = models.IntegerField()
    region1 = models.IntegerField(null=True)
    region2 = models.IntegerField(null=True)
    region3 = models.IntegerField(null=True)
    unit_id = models.IntegerField(null=True)
    domain1 = models.IntegerField(null=True)
    domain2 = models.IntegerField(null=True)
    domain3 = models.IntegerField(null=True)
    type = models.CharField(max_length=14)
    channel = models.CharField(max_length=8)
    thrown_out = models.BooleanField(default=False)
    own = models.BooleanField(default=False)
    dispatched = models.BooleanField(default=False)
    accepted = models.BooleanField(default=False)
    accepted_on_time = models.BooleanField(default=False)
    accept_days = models.IntegerField(null=True)
    replied = models.BooleanField(default=False)
    replied_on_time = models.BooleanField(default=False)
    reply_days = models.IntegerField(null=True)
    reply_day = models.DateField(null=True)
    reply_level = models.PositiveSmallIntegerField(null=True)
    rated = models.BooleanField(default=False)
    satisfied = models.BooleanField(default=False)
    solved = models.BooleanField(default=False)
    follow_ups = models.IntegerField(default=0)
    reopened = models.BooleanField(default=False)
    supervisions = models.IntegerField(default=0)
    listed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("message figures")
        verbose_name_plural = _("message figures")
        indexes = [
            models.Index(fields=["board_id", "day"], name="msgfig_board_day"),
            models.Index(fields=["unit_id", "day"], name="msgfig_unit_day"),
            models.Index(fields=["day"], name="msgfig_day"),
            # The messages behind a region's figure: the region at any of its three levels
            # (a BitmapOr of the three), within the period.
            models.Index(fields=["region1", "day"], name="msgfig_region1_day"),
            models.Index(fields=["region2", "day"], name="msgfig_region2_day"),
            models.Index(fields=["region3", "day"], name="msgfig_region3_day"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.day}"


class Figure(models.Model):
    """A roll-up row: the counts of one slice (all, a region level, a region, a board, a unit,
    a domain, a type, a channel) over one period (a day, week, month or year).

    `public` rows count only messages the public may see (for public pages); the others count
    every message (for staff). Rows are added to with INSERT … ON CONFLICT DO UPDATE, so a
    page reads a handful of rows whatever the number of messages.
    """

    public = models.BooleanField()
    kind = models.CharField(max_length=8)
    key = models.CharField(max_length=24, blank=True)
    period = models.CharField(max_length=1)
    start = models.DateField()
    for _name in COUNTS + ACCEPT_HIST + REPLY_HIST:
        # A default in the database too: a step writes only the counters it changes.
        locals()[_name] = models.IntegerField(default=0, db_default=0)
    del _name

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "public", "period", "start"], name="figure_row"
            )
        ]
        # Rankings and breakdowns: every slice of one kind in one period.
        indexes = [
            models.Index(fields=["kind", "period", "start", "public"], name="figure_kind_period")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.period}{self.start}"
