"""Signals for the apps that announce planned work (service status): sent inside the
transaction that moves the change, with `change` and `now`, so what a receiver writes
commits with the move or not at all. Re-exported by changes.services, where other apps
reach them (STYLE.md, Boundaries)."""

from django.dispatch import Signal

# A change became authorised and scheduled (by its board, or as a standard change).
change_scheduled = Signal()
# A scheduled change's window moved.
change_rescheduled = Signal()
# A scheduled change started, or ended (implemented, cancelled): its announcement closes.
change_started = Signal()
change_ended = Signal()
