"""An announcement's lifecycle (core.lifecycle): open until the service is back (resolved)
or the work is called off (cancelled); a resolution can be undone (reopened) when the
service fails again. Every move leaves a note on the announcement's timeline, and
subscribers to its services are emailed (once each: services.tell_subscribers)."""

from __future__ import annotations

from borough.core.lifecycle import Lifecycle, Move, Transition, model_permission
from borough.status.models import Announcement, State

ANNOUNCERS = model_permission("change", "people who publish announcements",
                              refusal="Your role does not allow you to change "
                                      "announcements.")

CLOSING_WORDS = {
    "resolve": "Resolved: the service is back to normal.",
    "cancel": "Cancelled: this is no longer going ahead.",
    "reopen": "Reopened: the problem is back.",
}


def stamp_end(move: Move) -> None:
    move.record.resolved_at = move.now


def clear_end(move: Move) -> None:
    move.record.resolved_at = None


def note_and_tell(move: Move) -> None:
    """The move on the timeline with its note, and the subscribers told."""
    from borough.status import services

    announcement = move.record
    words = move.note.strip() or CLOSING_WORDS[move.transition.name]
    update = services.add_update_row(announcement, words, actor=move.actor, closing=True)
    stage = "closed" if move.new != State.OPEN else f"reopened-{update.pk}"
    services.tell_subscribers(announcement, stage, words)


ANNOUNCEMENT = Lifecycle(Announcement, "state", transitions=[
    Transition("resolve", "Resolve", (State.OPEN,), State.RESOLVED, who=ANNOUNCERS,
               after=(stamp_end, note_and_tell),
               refusal="{reference} is already {state}.",
               conditions="with a closing note; also when the record it was announced "
                          "from (a major incident) is resolved"),
    Transition("cancel", "Cancel", (State.OPEN,), State.CANCELLED, who=ANNOUNCERS,
               after=(stamp_end, note_and_tell),
               refusal="Only an open announcement can be cancelled; {reference} is "
                       "{state}.",
               conditions="for work that is not going ahead; also when the record it "
                          "was announced from is cancelled"),
    Transition("reopen", "Reopen", (State.RESOLVED,), State.OPEN, who=ANNOUNCERS,
               after=(clear_end, note_and_tell),
               refusal="Only a resolved announcement can be reopened; {reference} is "
                       "{state}.",
               conditions="when the service fails again"),
])
