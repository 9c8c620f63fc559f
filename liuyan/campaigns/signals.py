"""What campaigns announces; `notifications` listens (connected in its AppConfig.ready()), so that
campaigns imports nothing of who is told (as reports does with `digest_published`)."""

from django.dispatch import Signal

# Sent inside the deciding transaction with `decision` and `recipient_ids` (the proposer and the
# citizens who support the suggestion).
decision_recorded = Signal()

# Sent inside the supporting transaction when a suggestion first reaches its campaign's support
# threshold, with `suggestion` and `recipient_ids` (the organiser's leaders and staff).
threshold_reached = Signal()
