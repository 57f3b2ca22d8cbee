"""A problem's lifecycle (docs/problems.md, docs/lifecycles/problems-problem.md): logged,
under investigation, a known error once its workaround is recorded, resolved when the
permanent fix is in (its linked incidents may be resolved with it), closed after a review.
A resolved problem whose fix did not hold is reopened."""

from __future__ import annotations

from django.urls import reverse

from borough.core import notifications
from borough.core.lifecycle import Lifecycle, Move, Transition, permission
from borough.problems.models import OPEN, Problem, Status

WORK = "problems.work_problems"
STAFF = permission(WORK, "problem management staff",
                   refusal="Only problem management staff can do that.")


def problem_url(problem: Problem) -> str:
    return reverse("problems:problem_detail", args=[problem.pk])


# --- guards --------------------------------------------------------------------------------

def root_cause_found(problem: Problem, actor) -> str | None:
    missing = []
    if not (problem.root_cause or "").strip():
        missing.append("its root cause")
    if not problem.cause_category_id:
        missing.append("the cause category")
    if not missing:
        return None
    return (f"{problem.reference} cannot be resolved before its investigation gives "
            f"{' and '.join(missing)}: edit the problem to record them.")


# --- effects -------------------------------------------------------------------------------

def owner_user(problem: Problem):
    owner = problem.owner
    return owner.user if owner is not None and owner.user_id else None


def tell_owner(*, event: str, subject: str, body: str):
    def tell(move: Move) -> None:
        problem = move.record
        user = owner_user(problem)
        if user is None or user.pk == getattr(move.actor, "pk", None):
            return
        notifications.notify(
            [user], organisation_id=problem.organisation_id, event=event,
            subject=subject.format(reference=problem.reference, title=problem.title),
            body=body.format(note=move.note), url=problem_url(problem), thread=problem,
            context={"note": move.note})
    tell.__name__ = f"tell_owner_{event}"
    return tell


def stamp_known_error(move: Move) -> None:
    move.record.known_error_at = move.now


def stamp_resolved(move: Move) -> None:
    problem = move.record
    problem.resolved_at = move.now
    if move.note:
        problem.permanent_fix = move.note


def stamp_closed(move: Move) -> None:
    move.record.closed_at = move.now
    move.record.review = move.note


def clear_resolution(move: Move) -> None:
    move.record.resolved_at = None


PROBLEM = Lifecycle(Problem, "status", transitions=[
    Transition("investigate", "Start the investigation", (Status.LOGGED,),
               Status.INVESTIGATING, who=STAFF,
               after=(tell_owner(event="problem-investigating", subject="{reference} is "
                                 "under investigation: {title}", body="{note}"),),
               refusal="Only a logged problem starts its investigation; {reference} is "
                       "{state}."),
    Transition("record-known-error", "Record as a known error",
               (Status.LOGGED, Status.INVESTIGATING), Status.KNOWN_ERROR, who=STAFF,
               after=(stamp_known_error,),
               refusal="{reference} is {state}: only a problem being investigated becomes a "
                       "known error.",
               conditions="with its workaround; the known error is published to the "
                          "service desk"),
    Transition("resolve", "Resolve", (Status.INVESTIGATING, Status.KNOWN_ERROR),
               Status.RESOLVED, who=STAFF, guards=(root_cause_found,),
               after=(stamp_resolved,
                      tell_owner(event="problem-resolved",
                                 subject="{reference} is resolved: {title}",
                                 body="The permanent fix: {note}")),
               refusal="Only a problem under investigation or a known error can be "
                       "resolved; {reference} is {state}.",
               conditions="root cause and cause category recorded; with the permanent fix; "
                          "its open incidents may be resolved with it"),
    Transition("reopen", "Reopen", (Status.RESOLVED,), Status.INVESTIGATING, who=STAFF,
               after=(clear_resolution,
                      tell_owner(event="problem-reopened",
                                 subject="{reference} is reopened: {title}",
                                 body="The fix did not hold: {note}")),
               refusal="Only a resolved problem can be reopened; {reference} is {state}.",
               conditions="with why the fix did not hold"),
    Transition("close", "Close with a review", (Status.RESOLVED,), Status.CLOSED, who=STAFF,
               after=(stamp_closed,),
               refusal="Only a resolved problem can be closed; {reference} is {state}.",
               conditions="with the closure review: what was learnt, and whether the fix "
                          "held"),
])

assert set(OPEN) < set(Status.values)
