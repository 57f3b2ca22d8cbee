"""What problem management adds to the registry: problems with their analysis steps and
linked incidents, known errors and their uses on tickets, the cause categories and trend
rules each council sets; who may read and work them; the record actions; the ticket
page's panel; the menu's trend and figures pages; the evidence rules."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.problems import api, evidence, filters, forms, notices, queries, services, tables, views
from borough.problems import models as m

SECTION = "Problems"
SETTINGS = "Administration"
# Who investigates problems and keeps known errors: the desk's staff and ICT management.
DESK = [roles.AGENT, roles.TEAM_LEAD, roles.ICT_MANAGER, roles.ADMINISTRATOR]
WORKERS = [roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.ICT_MANAGER,
           roles.ADMINISTRATOR]


def register(registry) -> None:
    registry.add_notification_events("problems", notices.EVENTS)
    # A section of its own, after the desk (problems and the knowledge they leave): the
    # desk's queue keeps the first screen a section links row would take.
    registry.nav_section_order[SECTION] = 12
    registry.register(ModelEntry(
        m.Problem, filters.ProblemFilterSet, tables.ProblemTable, forms.ProblemForm,
        api.ProblemSerializer, api.ProblemViewSet, search_fields=("reference", "title"),
        nav_section=SECTION, nav_order=30, comments=True, attachments=True,
        detail_fields=("reference", "status", "origin", "priority", "description", "owner",
                       "service", "method", "root_cause", "cause_category", "workaround",
                       "permanent_fix", "change_note", "known_error_at", "resolved_at",
                       "closed_at", "review")))
    registry.register(ModelEntry(
        m.KnownError, filters.KnownErrorFilterSet, tables.KnownErrorTable,
        forms.KnownErrorForm, api.KnownErrorSerializer, api.KnownErrorViewSet,
        search_fields=("reference", "title", "symptoms"), nav_section=SECTION, nav_order=32,
        detail_fields=("reference", "title", "symptoms", "root_cause", "workaround",
                       "problem", "service", "ci", "category", "is_active", "fixed_count")))
    registry.register(ModelEntry(
        m.AnalysisStep, filters.AnalysisStepFilterSet, tables.AnalysisStepTable,
        forms.AnalysisStepForm, api.AnalysisStepSerializer, api.AnalysisStepViewSet,
        detail_fields=("problem", "position", "happened_at", "text")))
    registry.register(ModelEntry(
        m.ProblemIncident, filters.ProblemIncidentFilterSet, tables.ProblemIncidentTable,
        forms.ProblemIncidentForm, api.ProblemIncidentSerializer, api.ProblemIncidentViewSet,
        detail_fields=("problem", "ticket", "created_at")))
    registry.register(ModelEntry(
        m.KnownErrorUse, filters.KnownErrorUseFilterSet, tables.KnownErrorUseTable,
        forms.KnownErrorUseForm, api.KnownErrorUseSerializer, api.KnownErrorUseViewSet,
        detail_fields=("known_error", "ticket", "fixed", "used_by", "created_at")))
    registry.register(ModelEntry(
        m.CauseCategory, filters.CauseCategoryFilterSet, tables.CauseCategoryTable,
        forms.CauseCategoryForm, api.CauseCategorySerializer, api.CauseCategoryViewSet,
        search_fields=("name",), nav_section=SETTINGS, nav_order=66,
        detail_fields=("name", "description", "is_active")))
    registry.register(ModelEntry(
        m.TrendRule, filters.TrendRuleFilterSet, tables.TrendRuleTable, forms.TrendRuleForm,
        api.TrendRuleSerializer, api.TrendRuleViewSet, search_fields=("name",),
        nav_section=SETTINGS, nav_order=67,
        detail_fields=("name", "group_by", "window_days", "min_incidents", "is_active")))
    registry.nav_links.append(NavLink(SECTION, "Incident trends", "problems:trends", m.Problem,
                                      order=34))
    registry.nav_links.append(NavLink(SECTION, "Problem figures", "problems:figures",
                                      m.Problem, order=35))

    everything = [m.Problem, m.KnownError, m.AnalysisStep, m.ProblemIncident,
                  m.KnownErrorUse, m.CauseCategory, m.TrendRule]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    for role in WORKERS:
        registry.grant(role, ["problems.work_problems"])
    registry.grant_models(WORKERS, [m.Problem, m.KnownError, m.AnalysisStep],
                          ("add", "change"))
    registry.grant_models(WORKERS, [m.AnalysisStep, m.ProblemIncident], ("add", "delete"))
    registry.grant_models([roles.ICT_MANAGER, roles.ADMINISTRATOR],
                          [m.Problem, m.KnownError], ("delete",))
    registry.grant_models([roles.ICT_MANAGER, roles.ADMINISTRATOR],
                          [m.CauseCategory, m.TrendRule], ("add", "change", "delete"))
    # Uses of a known error are recorded by the desk's staff (its actions keep its count).
    registry.grant_models(DESK, [m.KnownErrorUse], ("add", "change"))
    # The administrator corrects anything.
    registry.grant_models(roles.ADMINISTRATOR, [m.ProblemIncident, m.KnownErrorUse],
                          ("add", "change", "delete"))
    registry.add_actions(services.PROBLEM_ACTIONS)
    registry.add_actions(services.KNOWN_ERROR_ACTIONS)
    registry.add_page_panel("servicedesk.ticket", DetailPanel(
        "problems", "problems/includes/ticket_panel.html", views.ticket_panel, order=20,
        annotations=lambda: {"linked_problem_id": queries.problem_of_ticket_expression()}))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
