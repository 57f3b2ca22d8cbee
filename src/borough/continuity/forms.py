from __future__ import annotations

from borough.continuity import models as m
from borough.core.forms import ScopedModelForm


class BusinessImpactAnalysisForm(ScopedModelForm):
    class Meta:
        model = m.BusinessImpactAnalysis
        fields = ["service", "assessed_on", "assessed_by", "summary", "proposed_rto_hours",
                  "proposed_rpo_hours", "proposed_mto_hours", "review_months"]


def _joined(form, name: str, *related: str) -> None:
    """Read the records a choice's label names with the choices (an analysis is named by
    its service), not one by one as the select is drawn."""
    field = form.fields.get(name)
    if field is not None and hasattr(field, "queryset"):
        field.queryset = field.queryset.select_related(*related)


class ImpactRowForm(ScopedModelForm):
    class Meta:
        model = m.ImpactRow
        fields = ["analysis", "after_hours", "financial", "reputational", "legal",
                  "public_service", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _joined(self, "analysis", "service")


class ContinuityPlanForm(ScopedModelForm):
    class Meta:
        model = m.ContinuityPlan
        fields = ["title", "kind", "services", "site", "owner", "scope",
                  "invocation_criteria", "review_months"]


class PlanContactForm(ScopedModelForm):
    class Meta:
        model = m.PlanContact
        fields = ["plan", "role", "person", "name", "employer", "phone", "email", "position"]


class PlanStepForm(ScopedModelForm):
    class Meta:
        model = m.PlanStep
        fields = ["plan", "number", "instruction", "done_by", "expected_minutes"]


class RecoveryItemForm(ScopedModelForm):
    class Meta:
        model = m.RecoveryItem
        fields = ["plan", "configuration_item", "position", "note"]


class ContinuityTestForm(ScopedModelForm):
    class Meta:
        model = m.ContinuityTest
        fields = ["plan", "scenario", "kind", "tested_on", "participants",
                  "other_participants", "result", "achieved_recovery_hours",
                  "achieved_data_loss_hours", "lessons"]


class FollowUpForm(ScopedModelForm):
    class Meta:
        model = m.FollowUp
        fields = ["test", "description", "owner", "due_on", "done", "problem", "change"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _joined(self, "test", "plan")
