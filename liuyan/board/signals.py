"""What the message domain tells the apps above it, without importing them.

`board` sits below `notifications` (and pages, reports and the API): it may not call them, so it
announces what happened and they subscribe in their `AppConfig.ready()`.
"""

from django.dispatch import Signal

# Sent with `event=` (a board.models.Event) by every step as soon as its Event is written: inside
# the step's transaction, so a receiver may add to the step (a transactional outbox row) or wait
# for the commit with `transaction.on_commit`. A receiver that raises fails the whole step.
event_recorded = Signal()

# Sent with `message_ids=` (a list of ints) by `services.import_history` once per batch of
# messages loaded from an old system's history, inside the batch's transaction, after their
# replies and events are written. No `event_recorded` is sent for those steps (history notifies
# nobody); a receiver that keeps figures counts the batch here. `written=` (a
# `services.history.WrittenHistory`) holds what was written of them, so that such a receiver
# need not read the batch back.
history_imported = Signal()
