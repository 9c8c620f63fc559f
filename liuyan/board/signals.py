"""What the message domain tells the apps above it, without importing them.

`board` sits below `notifications` (and pages, reports and the API): it may not call them, so it
announces what happened and they subscribe in their `AppConfig.ready()`.
"""

from django.dispatch import Signal

# Sent with `event=` (a board.models.Event) by every step as soon as its Event is written: inside
# the step's transaction, so a receiver may add to the step (a transactional outbox row) or wait
# for the commit with `transaction.on_commit`. A receiver that raises fails the whole step.
event_recorded = Signal()
