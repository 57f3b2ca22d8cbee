"""The lifecycles of a business impact analysis and of a continuity plan (core.lifecycle).

An analysis is drafted, then approved by someone who keeps continuity records: its
proposed recovery objectives become the service's (catalogue), its review falls due after
its review period, and the service's earlier approved analysis is superseded. Changing
what an approved analysis says returns it to draft.

A plan is drafted and approved; each approval issues a numbered revision that keeps the
plan's whole content as it read then, so earlier versions stay readable. Editing an
approved plan's content (its fields, contacts, steps or items to recover) returns it to
draft, to be approved again as the next revision; a plan no longer used is retired."""

from __future__ import annotations

from django.utils import timezone

from borough.catalogue import services as catalogue
from borough.continuity import queries
from borough.continuity.models import (
    AnalysisStatus,
    BusinessImpactAnalysis,
    ContinuityPlan,
    PlanRevision,
    PlanStatus,
    add_months,
)
from borough.core import services
from borough.core.lifecycle import EditTakes, Lifecycle, Move, Transition, model_permission

KEEPERS = model_permission("change", "people who keep continuity records")


# --- the analysis ---------------------------------------------------------------------------

def ready_to_approve(bia: BusinessImpactAnalysis, actor) -> list[str] | None:
    missing = []
    for name, words in (("proposed_rto_hours", "recovery time objective"),
                        ("proposed_rpo_hours", "recovery point objective"),
                        ("proposed_mto_hours", "maximum tolerable outage")):
        if getattr(bia, name) is None:
            missing.append(f"Propose the {words}.")
    if not bia.impacts.exists():
        missing.append("Record at least one impact over time.")
    return [f"{bia.reference} cannot be approved yet.", *missing] if missing else None


def stamp_approval(move: Move) -> None:
    bia = move.record
    bia.approved_by = move.actor if getattr(move.actor, "pk", None) else None
    bia.approved_at = move.now
    bia.review_due = add_months(timezone.localdate(move.now), bia.review_months)


def adopt_objectives(move: Move) -> None:
    """The service takes the analysis's objectives; its earlier approved analysis is
    superseded."""
    bia = move.record
    catalogue.set_recovery_objectives(
        bia.service, actor=move.actor, rto_hours=bia.proposed_rto_hours,
        rpo_hours=bia.proposed_rpo_hours, mto_hours=bia.proposed_mto_hours,
        note=f"Recovery objectives from {bia.reference}, approved.")
    earlier = (BusinessImpactAnalysis.objects.select_for_update()
               .filter(service_id=bia.service_id, status=AnalysisStatus.APPROVED)
               .exclude(pk=bia.pk))
    for other in earlier:
        services.update_record(other, actor=move.actor, expected_version=None,
                               data={"status": AnalysisStatus.SUPERSEDED},
                               note=f"Superseded by {bia.reference}.")


def clear_approval(move: Move) -> None:
    move.record.approved_by = None
    move.record.approved_at = None
    move.record.review_due = None


ANALYSED = {"service": "service", "assessed_on": "the analysis",
            "summary": "the analysis", "proposed_rto_hours": "recovery objectives",
            "proposed_rpo_hours": "recovery objectives",
            "proposed_mto_hours": "recovery objectives", "review_months": "review period"}

ANALYSIS = Lifecycle(BusinessImpactAnalysis, "status", on_edit=[
    EditTakes("reopen", (AnalysisStatus.APPROVED,), ANALYSED),
], transitions=[
    Transition("approve", "Approve", (AnalysisStatus.DRAFT,), AnalysisStatus.APPROVED,
               who=KEEPERS, guards=(ready_to_approve,),
               after=(stamp_approval, adopt_objectives),
               refusal="Only a draft can be approved; {reference} is {state}.",
               conditions="proposed RTO, RPO and MTO and at least one impact over time; the "
                          "service takes the objectives"),
    Transition("reopen", "Reopen as a draft", (AnalysisStatus.APPROVED,), AnalysisStatus.DRAFT,
               who=KEEPERS, after=(clear_approval,),
               refusal="Only an approved analysis can be reopened; {reference} is {state}.",
               conditions="to revise it; the service keeps its objectives until it is "
                          "approved again"),
    Transition("supersede", "Supersede", (AnalysisStatus.APPROVED,),
               AnalysisStatus.SUPERSEDED, who=KEEPERS,
               conditions="when a later analysis of the service is approved"),
])


# --- the plan -------------------------------------------------------------------------------

def ready_to_issue(plan: ContinuityPlan, actor) -> list[str] | None:
    missing = []
    if not plan.services.exists() and not plan.site_id:
        missing.append("Name the services it recovers or the site it is for.")
    if not plan.invocation_criteria.strip():
        missing.append("Say when it is invoked.")
    if not plan.steps.exists():
        missing.append("Write its steps.")
    if not plan.contacts.exists():
        missing.append("Name who does what (its contacts).")
    if missing:
        return [f"{plan.reference} cannot be approved yet.", *missing]
    if plan.status == PlanStatus.APPROVED and not queries.changed_since_revision(plan):
        return [f"{plan.reference} has not changed since revision {plan.revision}: there is "
                "nothing new to issue."]
    return None


def issue_revision(move: Move) -> None:
    plan = move.record
    plan.revision += 1
    plan.approved_by = move.actor if getattr(move.actor, "pk", None) else None
    plan.approved_at = move.now
    plan.review_due = add_months(timezone.localdate(move.now), plan.review_months)
    PlanRevision.objects.create(
        organisation_id=plan.organisation_id, plan=plan, number=plan.revision,
        issued_at=move.now, issued_by=plan.approved_by, review_months=plan.review_months,
        note=move.note, content=queries.content(plan),
        created_by=plan.approved_by, updated_by=plan.approved_by)


# What an approved plan vouches for: its fields and its parts (kept in other rows and
# registered as parts in entries.py), all in the revision it issued. Changing any of them
# returns it to draft; the revision stays issued and readable.
PLAN_CONTENT = {"title": "title", "kind": "kind", "services": "services or site",
                "site": "services or site", "owner": "owner", "scope": "scope",
                "invocation_criteria": "invocation criteria", "review_months": "review period",
                "contacts": "contacts", "steps": "steps", "recovery_items": "items to recover"}

PLAN = Lifecycle(ContinuityPlan, "status", on_edit=[
    EditTakes("revise", (PlanStatus.APPROVED,), PLAN_CONTENT),
], transitions=[
    Transition("approve", "Approve and issue", (PlanStatus.DRAFT, PlanStatus.APPROVED),
               PlanStatus.APPROVED, who=KEEPERS, guards=(ready_to_issue,),
               after=(issue_revision,),
               refusal="A retired plan cannot be approved; {reference} is {state}.",
               conditions="services or a site, invocation criteria, steps and contacts; "
                          "issues the next revision, which keeps the plan as it reads"),
    Transition("retire", "Retire", (PlanStatus.DRAFT, PlanStatus.APPROVED),
               PlanStatus.RETIRED, who=KEEPERS,
               refusal="{reference} is already retired."),
    Transition("reinstate", "Reinstate as a draft", (PlanStatus.RETIRED,), PlanStatus.DRAFT,
               who=KEEPERS, refusal="Only a retired plan can be reinstated."),
    Transition("revise", "Return to draft", (PlanStatus.APPROVED,), PlanStatus.DRAFT,
               who=KEEPERS,
               conditions="when what it says (its fields, contacts, steps or items to "
                          "recover) is edited; its issued revisions stay readable"),
])
