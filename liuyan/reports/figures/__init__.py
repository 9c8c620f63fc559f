"""Figures (统计数据): roll-up rows kept in the same transaction as each lifecycle step.

- `measures`: what is counted, as plain Python (facts of one message, the rows they add to).
- `models`: `MessageFigures` (one message's facts as last counted) and `Figure` (the roll-ups).
- `facts`: reads a message's facts from the board's tables.
- `services`: `count_message` (called for every recorded event) and `rebuild`.
- `selectors`: what pages, rankings and reports read.
"""
