"""Writes for continuity management (docs/continuity.md) beyond create, change and delete
(core.services, the rules in the models' clean()): an analysis's and a plan's record
actions on their lifecycles, putting a plan's items in the order the CMDB suggests, and
the reminders of review dates."""

from __future__ import annotations

from django import forms as django_forms

from borough.continuity import queries
from borough.continuity.lifecycle import ANALYSIS, PLAN
from borough.continuity.models import (
    AnalysisStatus,
    BusinessImpactAnalysis,
    ContinuityPlan,
    PlanStatus,
    RecoveryItem,
)
from borough.core import audit, notifications, reminders, scope, services
from borough.core.actions import ActionForm, Actions, NoInput
from borough.core.models import AuditAction


class NoteForm(ActionForm):
    note = django_forms.CharField(widget=django_forms.Textarea(attrs={"rows": 3}),
                                  required=False, max_length=5000)


ANALYSIS_ACTIONS = Actions(BusinessImpactAnalysis, lifecycle=ANALYSIS)

approve_analysis = ANALYSIS_ACTIONS.add(
    "approve", label="Approve", form=NoteForm, transition="approve",
    audit_note="Approved.",
    success=lambda bia: f"{bia.reference} is approved: the service's recovery objectives "
                        "are now its proposals.")
reopen_analysis = ANALYSIS_ACTIONS.add(
    "reopen", label="Reopen as a draft", form=NoteForm, transition="reopen",
    success=lambda bia: f"{bia.reference} is a draft again.")


PLAN_ACTIONS = Actions(ContinuityPlan, lifecycle=PLAN)

approve_plan = PLAN_ACTIONS.add(
    "approve", label="Approve and issue", form=NoteForm, transition="approve",
    success=lambda plan: f"{plan.reference} revision {plan.revision} is issued.")
retire_plan = PLAN_ACTIONS.add(
    "retire", label="Retire", form=NoteForm, transition="retire", danger=True,
    success=lambda plan: f"{plan.reference} is retired.")
reinstate_plan = PLAN_ACTIONS.add(
    "reinstate", label="Reinstate as a draft", form=NoteForm, transition="reinstate",
    success=lambda plan: f"{plan.reference} is a draft again.")


@PLAN_ACTIONS.action("order-from-cmdb", label="Order from the CMDB", form=NoInput,
                     permission="change", states=(PlanStatus.DRAFT, PlanStatus.APPROVED),
                     success=lambda plan: f"{plan.reference}: items to recover put in the "
                                          "order the CMDB suggests.")
def order_from_cmdb(plan: ContinuityPlan, *, actor) -> None:
    """Renumber the plan's items to recover in the order their dependencies in the CMDB
    give (what an item runs on first), each change audited on the item. A person may then
    move any of them by editing its order."""
    items = list(RecoveryItem.objects.select_for_update().filter(plan=plan)
                 .select_related("configuration_item"))
    moved = False
    for suggestion in queries.suggested_order(plan, items):
        row = suggestion.item
        if row.position == suggestion.suggested:
            continue
        before = row.position
        row.position = suggestion.suggested
        row.version += 1
        row.updated_by = actor
        row.save(update_fields=["position", "version", "updated_by", "updated_at"])
        audit.record(row, AuditAction.UPDATE, actor=actor,
                     changes={"position": [before, row.position]},
                     note="Ordered from the CMDB.")
        moved = True
    if moved:  # the recovery order is part of what an approved plan vouches for
        services.record_parts_changed(plan, {"recovery_items"}, actor=actor,
                                      note="Ordered from the CMDB.")


# --- review reminders ------------------------------------------------------------------------

# How long before a review date its owner is first told.
REVIEW_REMIND_DAYS = 30


def _tell(record, stage: str, on, *, kind: str, title: str, owner) -> None:
    view = scope.permission_name(type(record), "view")
    user, person = reminders.reachable(owner, record.organisation_id, view)
    due = record.review_due
    verb = "was" if stage == reminders.PASSED else "is"
    notifications.notify(
        [user], people=[person] if person else [], organisation_id=record.organisation_id,
        event="continuity-review-due",
        subject=f"{kind.capitalize()} {title} {verb} due for review "
                f"{reminders.in_words(due, on)}",
        context={**reminders.dates_context(due, on), "kind": kind, "record": title},
        body=(f"The {kind} {title} is to be reviewed by {due:%-d %B %Y}. Review it with the "
              "people it names, record what changed and approve it again."),
        url=record.get_absolute_url(), thread=record)


def _remind_analysis(bia: BusinessImpactAnalysis, stage: str, on) -> None:
    owner = bia.assessed_by or bia.service.owner
    _tell(bia, stage, on, kind="business impact analysis", title=str(bia), owner=owner)


def _remind_plan(plan: ContinuityPlan, stage: str, on) -> None:
    _tell(plan, stage, on, kind="continuity plan", title=str(plan), owner=plan.owner)


ANALYSIS_REVIEW = reminders.DateReminder(
    records=lambda on: BusinessImpactAnalysis.objects.filter(status=AnalysisStatus.APPROVED)
    .select_related("assessed_by__user", "service__owner__user"),
    date_field="review_due", within_days=REVIEW_REMIND_DAYS, send=_remind_analysis)
PLAN_REVIEW = reminders.DateReminder(
    records=lambda on: ContinuityPlan.objects.filter(status=PlanStatus.APPROVED)
    .select_related("owner__user"),
    date_field="review_due", within_days=REVIEW_REMIND_DAYS, send=_remind_plan)


def remind_reviews(now=None) -> int:
    """The daily job: tell each approved analysis's assessor (else its service's owner) and
    each approved plan's owner when its review is due within REVIEW_REMIND_DAYS days, and
    again once it has passed: each once per review date (core.reminders). How many."""
    return reminders.run(ANALYSIS_REVIEW, now) + reminders.run(PLAN_REVIEW, now)
