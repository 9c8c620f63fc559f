"""The heat index (热度指数) of a hot issue: how much a problem weighs.

Kept apart from :mod:`liuyan.insight.hot` so that the command line can explain it in its
``--help`` without loading the clustering's libraries.
"""

from __future__ import annotations

import math

__all__ = ["HEAT_EXPLAINED", "heat_index"]

HEAT_EXPLAINED = """\
heat = messages x (1 + breadth + support + burst + recency), where
  breadth = 0.6 x distinct writers / messages
  support = 0.4 x min(1, ln(1 + likes + dislikes/2) / ln(1001))
  burst   = 0.2 / (1 + span in days / 30)
  recency = 0.2 x exp(-days since the last message / 60)
The message count weighs most; the rest multiply it by 1 to 2.4, so an issue of
fewer than 5 messages never outranks one of 10 or more. Equal heat: more
distinct writers first."""

# The heat index (see heat_index): every factor but the message count modulates it by at most
# these shares, so that the count decides between issues of clearly different size and the
# other factors between issues of about the same size.
HEAT_BREADTH = 0.6  # all messages from different writers
HEAT_SUPPORT = 0.4  # SUPPORT_FULL likes (dislikes count half) or more
HEAT_BURST = 0.2  # all messages within a few days
HEAT_RECENCY = 0.2  # last message at the end of the window
SUPPORT_FULL = 1000
BURST_DAYS = 30  # a span this long halves the burst share
RECENCY_DAYS = 60  # time constant of the recency share


def heat_index(
    *,
    count: int,
    authors: int,
    likes: int,
    span_days: float,
    age_days: float,
    dislikes: int = 0,
) -> float:
    """Heat of an issue (热度指数)::

        heat = messages × (1 + breadth + support + burst + recency)

        breadth = 0.6 × distinct writers / messages
        support = 0.4 × min(1, log(1 + likes + dislikes/2) / log(1 + 1000))
        burst   = 0.2 / (1 + span_days / 30)
        recency = 0.2 × exp(−age_days / 60)

    The number of messages is the weight of a problem: each is a person who took the time to
    write. The other factors say how many people stand behind them and how urgent it is, and
    together multiply the count by 1 to 2.4: ten messages from ten writers weigh 1.6 times ten
    messages from one writer, a thousand likes (反对数, dislikes, count half: people who
    disagree with a message still say the problem concerns them) add 40 %, a burst within a
    few days and a problem still being written about add up to 20 % each. Because the factor
    is at most 2.4, an issue of fewer than five messages never outranks one of ten or more,
    whatever its likes: a single viral post is not a problem many people wrote about. Issues
    of equal heat are ordered by distinct writers (see :func:`hot_issues`).

    ``age_days`` counts from the issue's last message to the end of the window (or now).
    """
    count = max(count, 1)
    breadth = HEAT_BREADTH * min(max(authors, 1), count) / count
    backers = max(likes, 0) + max(dislikes, 0) / 2
    support = HEAT_SUPPORT * min(1.0, math.log1p(backers) / math.log1p(SUPPORT_FULL))
    burst = HEAT_BURST / (1 + max(span_days, 0) / BURST_DAYS)
    recency = HEAT_RECENCY * math.exp(-max(age_days, 0) / RECENCY_DAYS)
    return round(count * (1 + breadth + support + burst + recency), 2)
