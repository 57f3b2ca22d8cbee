"""An assessment cycle's lifecycle, declared once (core.lifecycle): in progress, awaiting
approval, approved (and locked). Submitting needs every standard rated and targeted;
approving needs every rating signed off, by someone who may approve cycles, and keeps on
each rating the level live evidence supported then, so the approved record never changes.
Approval is a vote (core.approvals) with a quorum of one; a council that wants its
committee's several signatures raises the quorum here."""

from __future__ import annotations

from django.utils import timezone

from borough.core import audit
from borough.core.lifecycle import Approval, Lifecycle, Move, Transition, model_permission, permission
from borough.core.models import AuditAction
from borough.standards.models import AssessmentCycle, CycleStatus, Level, StandardAssessment

RUNS = model_permission("change", "people who run assessments")
APPROVER = permission("standards.approve_assessmentcycle",
                      "people who may approve assessment cycles",
                      refusal="Only someone who may approve assessment cycles can approve a "
                              "cycle.")


def missing_for(cycle: AssessmentCycle, *, signed_off: bool) -> list[str]:
    ratings = StandardAssessment.objects.filter(cycle=cycle).select_related("standard")
    problems = []
    unrated = [str(r.standard) for r in ratings if r.current_level is None]
    untargeted = [str(r.standard) for r in ratings if r.target_level is None]
    if unrated:
        problems.append(f"Rate the current level of: {', '.join(unrated)}.")
    if untargeted:
        problems.append(f"Set the target level of: {', '.join(untargeted)}.")
    if signed_off:
        unsigned = [str(r.standard) for r in ratings if r.reviewed_by_id is None]
        if unsigned:
            problems.append(f"A reviewer must sign off: {', '.join(unsigned)}.")
    return problems


def every_standard_rated(cycle, actor):
    missing = missing_for(cycle, signed_off=False)
    return ["The cycle cannot be submitted yet.", *missing] if missing else None


def every_rating_signed_off(cycle, actor):
    missing = missing_for(cycle, signed_off=True)
    return ["The cycle cannot be approved yet.", *missing] if missing else None


def record_live_evidence(move: Move) -> None:
    """Keep, on each rating, the level live evidence supported at approval and why (before
    the cycle is approved: an approved cycle reads its snapshot, not live evidence)."""
    from borough.standards.assessments.evidence import evaluate_cycle

    cycle, actor = move.record, move.actor
    outcomes = evaluate_cycle(cycle, as_of=move.fields.get("as_of") or move.now)
    ratings = list(StandardAssessment.objects.select_for_update().filter(cycle=cycle)
                   .select_related("standard"))
    for rating in ratings:
        outcome = outcomes[rating.standard_id]
        rating.evidence_level = outcome.supported_level
        rating.evidence_snapshot = outcome.as_snapshot()
        rating.version += 1
        rating.updated_by = actor if getattr(actor, "pk", None) else None
        rating.updated_at = move.now
    StandardAssessment.objects.bulk_update(
        ratings, ["evidence_level", "evidence_snapshot", "version", "updated_by", "updated_at"])
    audit.record_bulk(ratings, AuditAction.UPDATE, actor=actor, changes_for=lambda r: {
        "evidence_level": [None, Level(r.evidence_level).label]},
        note="Live evidence recorded at approval.")


def stamp_approval(move: Move) -> None:
    move.record.approved_by = move.actor if getattr(move.actor, "pk", None) else None
    move.record.approved_at = move.now or timezone.now()


CYCLE = Lifecycle(AssessmentCycle, "status", transitions=[
    Transition("submit", "Submit for approval", (CycleStatus.IN_PROGRESS,),
               CycleStatus.IN_REVIEW, who=RUNS, guards=(every_standard_rated,),
               refusal="This cycle is already awaiting approval.",
               conditions="every standard rated, with a target"),
    Transition("reopen", "Reopen for assessment", (CycleStatus.IN_REVIEW,),
               CycleStatus.IN_PROGRESS, who=RUNS,
               refusal="Only a cycle awaiting approval can be reopened."),
    Transition("approve", "Approve and lock", (CycleStatus.IN_REVIEW,), CycleStatus.APPROVED,
               who=APPROVER, guards=(every_rating_signed_off,),
               before=(record_live_evidence,), after=(stamp_approval,),
               approval=Approval(quorum=1),
               refusal="Submit the cycle for approval before approving it.",
               conditions="every rating signed off by a reviewer other than its assessor; "
                          "then nothing in the cycle can change"),
])
