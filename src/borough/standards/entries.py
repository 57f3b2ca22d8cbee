"""What the standards app adds to the registry: assessment cycles and the action plan's
registers, the shared framework definitions (read-only pages and API), the records
reached through their cycle, who may do what, the owners' reminder job and the
standards' own evidence rules."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import ModelEntry, NavLink
from borough.standards import home, notices, rules
from borough.standards import models as m
from borough.standards.actions import api as actions_api
from borough.standards.actions import filters as actions_filters
from borough.standards.actions import forms as actions_forms
from borough.standards.actions import services as actions_services
from borough.standards.actions import tables as actions_tables
from borough.standards.assessments import api as assessments_api
from borough.standards.assessments import filters as assessments_filters
from borough.standards.assessments import forms as assessments_forms
from borough.standards.assessments import services as assessments_services
from borough.standards.assessments import tables as assessments_tables
from borough.standards.framework import api as framework_api

SECTION = "Standards"


def register(registry) -> None:
    registry.add_notification_events("standards", notices.EVENTS)
    registry.nav_section_order[SECTION] = 60
    _assessments(registry)
    _action_plan(registry)
    _framework(registry)
    _grants(registry)
    for rule in rules.RULES:
        registry.evidence_rules[rule.name] = rule
    for panel in home.PANELS:
        registry.add_home_panel(panel)
    registry.periodic_jobs["standards-remind-action-owners"] = (
        actions_services.remind_action_owners, 24 * 3600)


def _assessments(registry) -> None:
    registry.register(ModelEntry(
        m.AssessmentCycle, assessments_filters.AssessmentCycleFilterSet,
        assessments_tables.AssessmentCycleTable, assessments_forms.CycleForm,
        assessments_api.AssessmentCycleSerializer, assessments_api.AssessmentCycleViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=10,
        detail_fields=("framework", "name", "starts_on", "ends_on", "status", "summary")))
    registry.add_actions(assessments_services.CYCLE_ACTIONS)
    registry.add_actions(assessments_services.RATING_ACTIONS)
    registry.add_actions(assessments_services.ANSWER_ACTIONS)
    registry.add_actions(assessments_services.EVIDENCE_ACTIONS)
    # Ratings, criterion answers and evidence are reached through their cycle.
    registry.unlist(m.StandardAssessment, "One per standard of a cycle: the cycle's page "
                                          "links each; /standards/ratings/<id>/.")
    registry.unlist(m.CriterionResult, "Answered on the standard's rating page.")
    registry.unlist(m.Evidence, "Added and removed on the standard's rating page.")
    registry.api_routes.extend([
        ("standards/ratings", assessments_api.RatingViewSet, "standards-standardassessment"),
        ("standards/criterion-results", assessments_api.CriterionResultViewSet,
         "standards-criterionresult"),
        ("standards/evidence", assessments_api.EvidenceViewSet, "standards-evidence"),
    ])


def _action_plan(registry) -> None:
    registry.register(ModelEntry(
        m.Action, actions_filters.ActionFilterSet, actions_tables.ActionTable,
        actions_forms.ActionForm, actions_api.ActionSerializer, actions_api.ActionViewSet,
        search_fields=("reference", "title"), nav_section=SECTION, nav_order=50,
        attachments=True,
        detail_fields=("reference", "title", "status", "rag", "owner", "due_on", "theme")))
    registry.register(ModelEntry(
        m.CorporateObjective, actions_filters.CorporateObjectiveFilterSet,
        actions_tables.CorporateObjectiveTable, actions_forms.CorporateObjectiveForm,
        actions_api.CorporateObjectiveSerializer, actions_api.CorporateObjectiveViewSet,
        search_fields=("code", "title"), nav_section=SECTION, nav_order=60,
        detail_fields=("code", "title", "plan", "description", "is_active")))
    registry.register(ModelEntry(
        m.Target, actions_filters.TargetFilterSet, actions_tables.TargetTable,
        actions_forms.TargetForm, actions_api.TargetSerializer, actions_api.TargetViewSet,
        search_fields=("code", "title"), nav_section=SECTION, nav_order=70,
        detail_fields=("code", "title", "scope", "description", "is_active")))
    registry.register(ModelEntry(
        m.ReportReview, actions_filters.ReportReviewFilterSet, actions_tables.ReportReviewTable,
        actions_forms.ReportReviewForm, actions_api.ReportReviewSerializer,
        actions_api.ReportReviewViewSet, nav_section=SECTION, nav_order=80, attachments=True,
        detail_fields=("report", "reviewed_on", "meeting", "note")))
    registry.add_actions(actions_services.ACTION_ACTIONS)
    registry.unlist(m.ActionUpdate, "Progress notes, added and listed on their action's page "
                                    "and at /api/standards/actions/<id>/updates/.")


def _framework(registry) -> None:
    """Shared definitions belong to no organisation: read-only pages of their own
    (framework/urls.py) and API routes, no generic CRUD."""
    for model in (m.Framework, m.Theme, m.Standard, m.Criterion):
        registry.unlist(model, "Shared by every organisation and loaded from YAML "
                               "(borough load_framework): read-only pages under "
                               "/standards/frameworks/.")
    registry.nav_links.append(NavLink(SECTION, "Frameworks", "standards:framework_list",
                                      m.Framework, order=90))
    registry.api_routes.extend([
        ("standards/frameworks", framework_api.FrameworkViewSet, "standards-framework"),
        ("standards/themes", framework_api.ThemeViewSet, "standards-theme"),
        ("standards/standards", framework_api.StandardViewSet, "standards-standard"),
        ("standards/criteria", framework_api.CriterionViewSet, "standards-criterion"),
    ])


def _grants(registry) -> None:
    definitions = [m.Framework, m.Theme, m.Standard, m.Criterion]
    records = [m.AssessmentCycle, m.StandardAssessment, m.CriterionResult, m.Evidence,
               m.ReportReview, m.CorporateObjective, m.Target, m.Action, m.ActionUpdate]
    registry.grant_models(roles.READ_ALL_ROLES, definitions + records, ("view",))
    # Managers run the assessment and own the plan; the Auditor only reads.
    managers = [roles.ICT_MANAGER, roles.ADMINISTRATOR]
    registry.grant_models(managers, records, ("add", "change", "delete"))
    for role in managers:
        registry.grant(role, ["standards.approve_assessmentcycle"])
    # Anyone on the staff may report progress on an action they own (the service checks
    # ownership).
    registry.grant_models([roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.CAB_MEMBER,
                           roles.SECURITY_OFFICER, roles.SERVICE_UNIT_HEAD],
                          [m.ActionUpdate], ("add",))
