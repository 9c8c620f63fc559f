"""What reports announces; `notifications` listens (connected in its AppConfig.ready()), so that
reports imports nothing of who is told."""

from django.dispatch import Signal

# Sent inside the publishing transaction with `digest` and `recipient_ids` (the region's leaders).
digest_published = Signal()
