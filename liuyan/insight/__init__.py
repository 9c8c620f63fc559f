"""Insight engine: pure Python text analytics for the message board.

Segmentation, personal-data masking, domain classification, similar messages, hot issues and
reply quality. Nothing here imports Django: the platform adapts these functions, never the
reverse, so they stay testable in milliseconds and usable from a batch CLI.
"""
