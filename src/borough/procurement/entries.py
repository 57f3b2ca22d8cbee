"""What procurement adds to the registry: requests with their business cases and options,
the approval steps each council sets, the exceptions recorded for contracts bought
without a business case; who may read, raise and decide them; the request's record
actions; the contract page's section; the evidence rules."""

from __future__ import annotations

from borough.commercial.models import Contract
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry
from borough.procurement import api, evidence, filters, forms, notices, reminders, services, tables, views
from borough.procurement import models as m

SECTION = "Commercial"

# Who raises requests for ICT spend: ICT management, team leads and heads of service.
RAISE = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD, roles.SERVICE_UNIT_HEAD]
# Who reads every request and sets the approval steps and exceptions.
MANAGE = [roles.ADMINISTRATOR, roles.ICT_MANAGER]


def register(registry) -> None:
    registry.add_notification_events("procurement", notices.EVENTS)
    registry.register(ModelEntry(
        m.ProcurementRequest, filters.ProcurementRequestFilterSet,
        tables.ProcurementRequestTable, forms.ProcurementRequestForm,
        api.ProcurementRequestSerializer, api.ProcurementRequestViewSet,
        search_fields=("reference", "title"), nav_section=SECTION, nav_order=50,
        comments=True, attachments=True,
        detail_fields=("reference", "status", "title", "description", "justification",
                       "service_unit", "requester", "owner", "funding_source",
                       "financial_year", "cost_centre", "needed_by", "value",
                       "current_step", "submitted_at", "decided_at", "contract")))
    registry.register(ModelEntry(
        m.ProcurementOption, filters.ProcurementOptionFilterSet, tables.ProcurementOptionTable,
        forms.ProcurementOptionForm, api.ProcurementOptionSerializer,
        api.ProcurementOptionViewSet, search_fields=("description",),
        detail_fields=("request", "description", "provider", "supplier", "whole_life_cost",
                       "annual_cost", "term_months", "benefits", "risks", "is_recommended")))
    registry.register(ModelEntry(
        m.ApprovalStep, filters.ApprovalStepFilterSet, tables.ApprovalStepTable,
        forms.ApprovalStepForm, api.ApprovalStepSerializer, api.ApprovalStepViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=55,
        detail_fields=("name", "up_to", "approver_role", "approvers", "approvals_needed")))
    registry.register(ModelEntry(
        m.ProcurementException, filters.ProcurementExceptionFilterSet,
        tables.ProcurementExceptionTable, forms.ProcurementExceptionForm,
        api.ProcurementExceptionSerializer, api.ProcurementExceptionViewSet,
        search_fields=("reason",), nav_section=SECTION, nav_order=58,
        detail_fields=("contract", "reason", "agreed_by", "agreed_on")))
    registry.unlist(m.RouteStep, "The steps of a request's approval route, shown on its "
                                 "page and in its API record.")
    registry.unlist(m.Decision, "The decisions on a request, shown on its page and in its "
                                "API record.")
    registry.unlist(m.Delegation, "Approvers' delegations of a step to a deputy, shown on "
                                  "the request's page and in its API record.")

    everything = [m.ProcurementRequest, m.ProcurementOption, m.ApprovalStep,
                  m.ProcurementException]
    # Every reading role may open the pages; a request itself is read by ICT management,
    # administrators and the auditor, and otherwise only by the people it concerns
    # (models.RequestQuerySet): its requester, owner, unit head and approvers.
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    for role in (*MANAGE, roles.AUDITOR):
        registry.grant(role, [m.VIEW_ALL])
    registry.grant_models(RAISE, [m.ProcurementRequest], ("add", "change"))
    # Options are a draft's working: whoever may change the request may remove one.
    registry.grant_models(RAISE, [m.ProcurementOption], ("add", "change", "delete"))
    registry.grant_models(MANAGE, [m.ProcurementRequest], ("delete",))
    registry.grant_models(MANAGE, [m.ApprovalStep, m.ProcurementException],
                          ("add", "change", "delete"))
    registry.add_actions(services.REQUEST_ACTIONS)
    registry.periodic_jobs["procurement-approval-reminders"] = (reminders.remind_approvers,
                                                                24 * 3600)
    registry.add_detail_panel(Contract, DetailPanel(
        "procurement", "procurement/includes/contract_panel.html", views.contract_panel,
        order=20))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
