"""What continuity management adds to the registry: business impact analyses and their
impacts over time, continuity plans with their contacts, steps and items to recover, DR
tests and their follow-up actions; who may read and keep them; the record actions; the
business service page's panel; the review reminders; the evidence rules. Its pages sit in
the Catalogues menu, beside the services they are about."""

from __future__ import annotations

from borough.catalogue.models import BusinessService
from borough.continuity import api, evidence, filters, forms, notices, panels, services, tables
from borough.continuity import models as m
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry

SECTION = "Catalogues"
# Who keeps continuity records, records DR tests and approves analyses and plans: ICT
# management and the team leads who run the estate (the "continuity manager").
KEEPERS = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD]


def register(registry) -> None:
    registry.register(ModelEntry(
        m.BusinessImpactAnalysis, filters.BusinessImpactAnalysisFilterSet,
        tables.BusinessImpactAnalysisTable, forms.BusinessImpactAnalysisForm,
        api.BusinessImpactAnalysisSerializer, api.BusinessImpactAnalysisViewSet,
        search_fields=("reference", "service__name"), nav_section=SECTION, nav_order=30,
        comments=True, attachments=True,
        detail_fields=("reference", "service", "status", "assessed_on", "assessed_by",
                       "summary", "proposed_rto_hours", "proposed_rpo_hours",
                       "proposed_mto_hours", "review_months", "approved_by", "approved_at",
                       "review_due")))
    registry.register(ModelEntry(
        m.ImpactRow, filters.ImpactRowFilterSet, tables.ImpactRowTable, forms.ImpactRowForm,
        api.ImpactRowSerializer, api.ImpactRowViewSet, search_fields=(),
        detail_fields=("analysis", "after_hours", "financial", "reputational", "legal",
                       "public_service", "notes")))
    registry.register(ModelEntry(
        m.ContinuityPlan, filters.ContinuityPlanFilterSet, tables.ContinuityPlanTable,
        forms.ContinuityPlanForm, api.ContinuityPlanSerializer, api.ContinuityPlanViewSet,
        search_fields=("reference", "title"), nav_section=SECTION, nav_order=31,
        comments=True, attachments=True,
        detail_fields=("reference", "title", "kind", "status", "site", "owner", "scope",
                       "invocation_criteria", "review_months", "revision", "approved_by",
                       "approved_at", "review_due")))
    registry.register(ModelEntry(
        m.PlanContact, filters.PlanContactFilterSet, tables.PlanContactTable,
        forms.PlanContactForm, api.PlanContactSerializer, api.PlanContactViewSet,
        search_fields=("role", "name"),
        detail_fields=("plan", "role", "person", "name", "employer", "phone", "email",
                       "position")))
    registry.register(ModelEntry(
        m.PlanStep, filters.PlanStepFilterSet, tables.PlanStepTable, forms.PlanStepForm,
        api.PlanStepSerializer, api.PlanStepViewSet, search_fields=(),
        detail_fields=("plan", "number", "instruction", "done_by", "expected_minutes")))
    registry.register(ModelEntry(
        m.RecoveryItem, filters.RecoveryItemFilterSet, tables.RecoveryItemTable,
        forms.RecoveryItemForm, api.RecoveryItemSerializer, api.RecoveryItemViewSet,
        search_fields=(), detail_fields=("plan", "configuration_item", "position", "note")))
    # A plan's contacts, steps and items are what its revisions keep: writing one returns
    # an approved plan to draft (lifecycle.PLAN_CONTENT), whichever way it is written.
    registry.part_of(m.PlanContact, "plan", "contacts")
    registry.part_of(m.PlanStep, "plan", "steps")
    registry.part_of(m.RecoveryItem, "plan", "recovery_items")
    registry.register(ModelEntry(
        m.ContinuityTest, filters.ContinuityTestFilterSet, tables.ContinuityTestTable,
        forms.ContinuityTestForm, api.ContinuityTestSerializer, api.ContinuityTestViewSet,
        search_fields=("reference", "plan__title"), nav_section=SECTION, nav_order=32,
        comments=True, attachments=True,
        detail_fields=("reference", "plan", "kind", "tested_on", "scenario",
                       "other_participants", "result", "achieved_recovery_hours",
                       "achieved_data_loss_hours", "lessons")))
    registry.register(ModelEntry(
        m.FollowUp, filters.FollowUpFilterSet, tables.FollowUpTable, forms.FollowUpForm,
        api.FollowUpSerializer, api.FollowUpViewSet, search_fields=("description",),
        detail_fields=("test", "description", "owner", "due_on", "done", "problem",
                       "change")))
    registry.unlist(m.PlanRevision, "A plan's issued revisions, read on the plan's page and "
                                    "at …/plans/<id>/revisions/<number>/.")

    everything = [m.BusinessImpactAnalysis, m.ImpactRow, m.ContinuityPlan, m.PlanContact,
                  m.PlanStep, m.RecoveryItem, m.ContinuityTest, m.FollowUp]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(KEEPERS, everything, ("add", "change", "delete"))
    registry.add_actions(services.ANALYSIS_ACTIONS)
    registry.add_actions(services.PLAN_ACTIONS)
    registry.add_notification_events("continuity", notices.EVENTS)
    registry.periodic_jobs["continuity-review-reminders"] = (services.remind_reviews,
                                                             24 * 3600)
    registry.add_detail_panel(BusinessService, DetailPanel(
        "continuity", "continuity/includes/service_panel.html", panels.service_panel,
        order=30))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
