"""Signals for the apps that announce planned work (service status): sent inside the
transaction that moves the change, with `change`, `now` and `actor` (who moved it), so
what a receiver writes commits with the move or not at all. Re-exported by
changes.services. The service status app sits below changes and cannot import them:
changes.announcements connects its own receivers, which call status.services."""

from django.dispatch import Signal

# A change became authorised and scheduled (by its board, or as a standard change).
change_scheduled = Signal()
# A scheduled change's window moved.
change_rescheduled = Signal()
# A scheduled change started, or ended (implemented, cancelled): its announcement closes.
change_started = Signal()
change_ended = Signal()
