"""What availability management adds to the registry: outages; who may read and record
them; the availability report; the panels on the service, agreement, major incident and
change pages and the service desk statistics; the listener that ends a major incident's
outages; the evidence rules. Its pages sit in the Catalogues menu, beside the services
they measure."""

from __future__ import annotations

from borough.availability import (
    api,
    evidence,
    filters,
    forms,
    panels,
    queries,
    services,
    tables,
)
from borough.availability import models as m
from borough.capacity import services as capacity_services
from borough.catalogue.models import BusinessService, ServiceLevelAgreement
from borough.changes.models import Change
from borough.cmdb.models import ConfigurationItem
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.servicedesk.models import Ticket

SECTION = "Catalogues"
# Who records and corrects outages: those who run major incidents and changes.
RECORD = [roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.ICT_MANAGER, roles.ADMINISTRATOR]


def register(registry) -> None:
    registry.register(ModelEntry(
        m.Outage, filters.OutageFilterSet, tables.OutageTable, forms.OutageForm,
        api.OutageSerializer, api.OutageViewSet, search_fields=("reference", "cause"),
        nav_section=SECTION, nav_order=40,
        detail_fields=("reference", "service", "started_at", "ended_at", "kind", "source",
                       "cause", "ticket", "change", "configuration_item", "metric")))
    registry.nav_links.append(NavLink(SECTION, "Availability", "availability:report",
                                      m.Outage, order=41))
    registry.api_routes.append(("availability/figures", api.AvailabilityViewSet,
                                "availability-figures"))
    registry.grant_models(roles.READ_ALL_ROLES, [m.Outage], ("view",))
    registry.grant_models(RECORD, [m.Outage], ("add", "change"))
    registry.grant_models([roles.ICT_MANAGER, roles.ADMINISTRATOR], [m.Outage], ("delete",))
    registry.add_detail_panel(BusinessService, DetailPanel(
        "availability", "availability/includes/service_panel.html", panels.service_panel,
        order=30))
    registry.add_detail_panel(ServiceLevelAgreement, DetailPanel(
        "availability", "availability/includes/service_panel.html", panels.agreement_panel,
        order=30))
    registry.add_page_panel("catalogue.agreement_pdf", DetailPanel(
        "availability", "availability/includes/agreement_print.html",
        panels.agreement_print_panel, order=30))
    registry.add_page_panel("servicedesk.ticket", DetailPanel(
        "outages", "availability/includes/outages_panel.html", panels.ticket_panel,
        order=30))
    registry.add_page_panel("servicedesk.statistics", DetailPanel(
        "availability", "availability/includes/statistics_panel.html",
        panels.statistics_panel, order=30))
    registry.add_detail_panel(Change, DetailPanel(
        "outages", "availability/includes/outages_panel.html", panels.change_panel,
        order=30))
    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "component-availability", "availability/includes/component_panel.html", panels.component_panel,
        order=35, annotations=queries.item_annotations))
    registry.api_routes.append(("availability/components", api.ComponentAvailabilityViewSet,
                                "availability-components"))
    registry.on_transition(Ticket, ("resolve", "cancel"), services.end_with_incident)
    capacity_services.listen_for_up_down(services.record_from_monitoring)
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
