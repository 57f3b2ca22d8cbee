"""What the service catalogue adds to the registry: business services, the configuration
items that deliver them, their service and operational level agreements, who may read
and change them."""

from __future__ import annotations

from borough.catalogue import api, evidence, filters, forms, notices, queries, services, tables
from borough.catalogue import models as m
from borough.cmdb.models import ConfigurationItem
from borough.core import roles, scope
from borough.core.registry import DetailPanel, ModelEntry, NavLink

# The catalogues a head of service reads, apart from the CMDB's working pages.
SECTION = "Catalogues"

# Who keeps the catalogue: ICT management and the staff who run the estate.
KEEPS_CATALOGUE = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD]


def item_services(item, user) -> dict | None:
    """The CI page's panel: the services that stop if it is lost, and those it supports
    that have an alternative to it. Left out for people who may not read services."""
    if not scope.can(user, "view", m.BusinessService, item.organisation_id):
        return None
    stopped = queries.services_stopped_by(item, user)
    stopping = {row.service.pk for row in stopped}
    resilient = [row for row in queries.services_supported_by(item, user)
                 if row.service.pk not in stopping]
    return {"item": item, "stopped": stopped, "resilient": resilient}


def register(registry) -> None:
    registry.add_notification_events("catalogue", notices.EVENTS)
    registry.nav_section_order[SECTION] = 20
    registry.register(ModelEntry(
        m.BusinessService, filters.BusinessServiceFilterSet, tables.BusinessServiceTable,
        forms.BusinessServiceForm, api.BusinessServiceSerializer, api.BusinessServiceViewSet,
        search_fields=("reference", "name"), nav_section=SECTION, nav_order=5,
        comments=True, attachments=True,
        detail_fields=("reference", "name", "description", "status", "service_unit", "owner",
                       "support_team", "criticality", "service_hours", "service_hours_note",
                       "availability_target", "rto_hours", "rpo_hours", "mto_hours")))
    registry.register(ModelEntry(
        m.ServiceComponent, filters.ServiceComponentFilterSet, tables.ServiceComponentTable,
        forms.ServiceComponentForm, api.ServiceComponentSerializer,
        api.ServiceComponentViewSet, search_fields=(),
        detail_fields=("service", "configuration_item", "redundancy_group", "role")))
    registry.register(ModelEntry(
        m.ServiceLevelAgreement, filters.ServiceLevelAgreementFilterSet,
        tables.ServiceLevelAgreementTable, forms.ServiceLevelAgreementForm,
        api.ServiceLevelAgreementSerializer, api.ServiceLevelAgreementViewSet,
        search_fields=("reference", "service__name"), nav_section=SECTION, nav_order=6,
        comments=True, attachments=True,
        detail_fields=("reference", "service", "customer_service_unit", "signatory", "status",
                       "start_date", "review_date", "agreed_by", "agreed_at")))
    registry.register(ModelEntry(
        m.OperationalLevelAgreement, filters.OperationalLevelAgreementFilterSet,
        tables.OperationalLevelAgreementTable, forms.OperationalLevelAgreementForm,
        api.OperationalLevelAgreementSerializer, api.OperationalLevelAgreementViewSet,
        search_fields=("reference", "service__name"), nav_section=SECTION, nav_order=7,
        detail_fields=("reference", "service", "provider_team", "receiving_team", "provides",
                       "targets", "status", "review_date")))

    everything = [m.BusinessService, m.ServiceComponent, m.ServiceLevelAgreement,
                  m.OperationalLevelAgreement]
    # Every role that reads everything, the Service Unit Head included: a head of service
    # reads their unit's services and the agreements they sign (the list filters by unit).
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(KEEPS_CATALOGUE, everything, ("add", "change", "delete"))
    registry.keep_versions(m.BusinessService, m.BusinessServiceVersion)
    registry.keep_versions(m.ServiceComponent, m.ServiceComponentVersion)
    registry.keep_versions(m.ServiceLevelAgreement, m.ServiceLevelAgreementVersion)
    registry.add_actions(services.SLA_ACTIONS)
    registry.periodic_jobs["catalogue-review-reminders"] = (services.remind_agreement_reviews,
                                                            24 * 3600)
    registry.nav_links.append(NavLink(SECTION, "Single points of failure",
                                      "catalogue:single_points", m.BusinessService, order=8))
    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "business-services", "catalogue/includes/item_services_panel.html", item_services,
        order=10))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
