"""What the service desk adds to the registry: tickets and the desk's settings as
registers, the statistics API, the records kept on a ticket's page, who may do what,
its periodic jobs, its evidence rules, its handler of mail received (tickets and replies
by email) and the signed links a requester's emails carry."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry
from borough.servicedesk import (
    api,
    concerns,
    daily,
    evidence,
    filters,
    forms,
    home,
    inbound,
    links,
    notices,
    queries,
    services,
    statistics_api,
    tables,
)
from borough.servicedesk import models as m

SECTION = "Service desk"
# The desk's configuration sits with the rest of it, so the header stays on one line.
SETTINGS = "Administration"


def register(registry) -> None:
    registry.add_notification_events("servicedesk", notices.EVENTS)
    registry.nav_section_order[SECTION] = 10
    registry.register(ModelEntry(
        m.Ticket, filters.TicketFilterSet, tables.TicketTable, forms.TicketForm,
        api.TicketSerializer, api.TicketViewSet, search_fields=("reference", "title"),
        nav_section=SECTION, nav_order=10, attachments=True))
    registry.register(ModelEntry(
        m.Category, filters.CategoryFilterSet, tables.CategoryTable, forms.CategoryForm,
        api.CategorySerializer, api.CategoryViewSet, search_fields=("name",),
        nav_section=SETTINGS, nav_order=60,
        detail_fields=("name", "ticket_type", "parent", "is_active")))
    registry.register(ModelEntry(
        m.PriorityRule, filters.PriorityRuleFilterSet, tables.PriorityRuleTable,
        forms.PriorityRuleForm, api.PriorityRuleSerializer, api.PriorityRuleViewSet,
        nav_section=SETTINGS, nav_order=61, detail_fields=("impact", "urgency", "priority")))
    registry.register(ModelEntry(
        m.SLAPolicy, filters.SLAPolicyFilterSet, tables.SLAPolicyTable, forms.SLAPolicyForm,
        api.SLAPolicySerializer, api.SLAPolicyViewSet, nav_section=SETTINGS, nav_order=62,
        detail_fields=("name", "priority", "ticket_type", "business_service", "response_minutes",
                       "resolution_minutes", "business_hours", "compliance_target",
                       "is_active")))
    registry.register(ModelEntry(
        m.CannedResponse, filters.CannedResponseFilterSet, tables.CannedResponseTable,
        forms.CannedResponseForm, api.CannedResponseSerializer, api.CannedResponseViewSet,
        nav_section=SETTINGS, nav_order=63, detail_fields=("title", "body", "is_active")))
    registry.register(ModelEntry(
        m.DeskSettings, filters.DeskSettingsFilterSet, tables.DeskSettingsTable,
        forms.DeskSettingsForm, api.DeskSettingsSerializer, api.DeskSettingsViewSet,
        nav_section=SETTINGS, nav_order=64,
        detail_fields=("reopen_days", "auto_close_days", "warning_percent")))
    registry.add_actions(services.TICKET_ACTIONS)
    registry.list_columns["servicedesk.ticket"] = tables.QUEUE_COLUMNS
    for panel in home.PANELS:
        registry.add_home_panel(panel)
    registry.unlist(m.TimelineEntry, "Shown on its ticket's page and at "
                                     "/api/servicedesk/tickets/<id>/timeline/.")
    registry.unlist(m.TicketLink, "Made and shown on the ticket's page.")
    registry.unlist(m.WorkLog, "Time logged on a ticket: added and listed on the ticket's page "
                               "and at /api/servicedesk/tickets/<id>/work-log/.")
    registry.unlist(m.Satisfaction, "Given on the ticket; counted on the statistics page.")
    registry.unlist(m.DailyOpened, "Totals behind the statistics (servicedesk.daily).")
    registry.unlist(m.DailyResolved, "Totals behind the statistics (servicedesk.daily).")
    registry.api_routes.append(("servicedesk/statistics", statistics_api.StatisticsViewSet,
                                "servicedesk-statistics"))

    config = [m.Category, m.PriorityRule, m.SLAPolicy, m.CannedResponse, m.DeskSettings]
    workers = [roles.AGENT, roles.TEAM_LEAD, roles.ICT_MANAGER, roles.ADMINISTRATOR]
    registry.grant_models(roles.READ_ALL_ROLES, [m.Ticket, m.TimelineEntry, m.TicketLink,
                                                 m.Satisfaction, m.WorkLog, *config], ("view",))
    for role in roles.READ_ALL_ROLES:
        registry.grant(role, ["servicedesk.view_all_tickets"])
    registry.grant_models(workers, [m.Ticket], ("add", "change"))
    registry.grant_models(workers, [m.TicketLink], ("add",))
    # Each worker corrects the time they logged (servicedesk.queries.may_correct); team
    # leads and ICT management anyone's: time logged is counted in what things cost.
    registry.grant_models(workers, [m.WorkLog], ("add", "change", "delete"))
    for role in (roles.TEAM_LEAD, roles.ICT_MANAGER, roles.ADMINISTRATOR):
        registry.grant(role, [queries.CORRECTS_TIME])
    registry.grant_models(workers, [m.CannedResponse], ("add", "change"))
    for role in workers:
        registry.grant(role, ["servicedesk.work_tickets"])
    registry.grant_models([roles.ICT_MANAGER, roles.ADMINISTRATOR], config,
                          ("add", "change", "delete"))
    registry.grant_models(roles.REQUESTER, [m.Ticket], ("view", "add"))
    # Requesters need no desk settings: the portal asks in plain words instead.
    registry.grant_models(roles.REQUESTER, [m.TimelineEntry, m.Satisfaction], ("view",))

    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
    registry.periodic_jobs["servicedesk-sla-sweep"] = (services.sweep_sla, 60)
    registry.periodic_jobs["servicedesk-auto-close"] = (services.auto_close_resolved, 3600)
    registry.periodic_jobs["servicedesk-daily-totals"] = (daily.audit, 24 * 3600)

    # The tickets about a CI or a service on its page, without the CMDB or the catalogue
    # importing the service desk.
    registry.add_detail_panel(m.Ticket.ci.field.related_model, DetailPanel(
        "servicedesk-tickets", "servicedesk/panels/record_tickets.html",
        concerns.ci_tickets_panel, order=50, annotations=concerns.ci_annotations))
    registry.add_detail_panel(m.Ticket.service.field.related_model, DetailPanel(
        "servicedesk-tickets", "servicedesk/panels/record_tickets.html",
        concerns.service_tickets_panel, order=50))

    registry.add_inbound_handler(inbound.HANDLER)
    registry.email_links[m.Ticket] = links.email_links
