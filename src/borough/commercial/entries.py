"""What the commercial module adds to the registry: suppliers, their contacts, categories
and reviews, contracts and what each covers, the reasons systems have no contract, who may
read and change them, the contract and review alerts, the renewals page, the sections it
puts on the pages of configuration items, systems, business services and agreements, and
its evidence rules."""

from __future__ import annotations

from django.utils import timezone

from borough.catalogue.models import BusinessService, ServiceComponent, ServiceLevelAgreement
from borough.cmdb.models import ConfigurationItem
from borough.commercial import api, evidence, filters, forms, notices, queries, services, tables
from borough.commercial import models as m
from borough.core import roles, scope
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.core.restricted import RestrictedFields

SECTION = "Commercial"

# Who keeps the commercial records: ICT management (and administrators). Team leads read
# them, as everyone who reads everything does.
KEEPS_COMMERCIAL = [roles.ADMINISTRATOR, roles.ICT_MANAGER]
# Who sees what contracts cost: the finance figures' readers (finance/entries.py
# READS_FINANCE), and each contract's owner on their own contracts.
SEES_CONTRACT_VALUES = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.AUDITOR]
CONTRACT_VALUES = RestrictedFields(
    queries.VALUE_FIELDS, "commercial.view_contract_values", holder=queries.owns,
    why="contract values are shown to the ICT Manager, Administrator and Auditor, and to "
        "the contract's owner.")


def item_contracts(item, user) -> dict | None:
    """The CI page's and the system page's section: the contracts that cover it, their
    suppliers and annual value, or the reason recorded for having none."""
    if not scope.can(user, "view", m.Contract, item.organisation_id):
        return None
    found = queries.contracts_covering_item(item, user, timezone.localdate())
    return {"item": item, **found, "values_shown": queries.shows_values(user, item.organisation_id),
            "may_add_cover": scope.can(user, "add", m.ContractCover, item.organisation_id),
            "may_add_reason": scope.can(user, "add", m.UncontractedSystem,
                                        item.organisation_id)}


def _underpinning(service, user) -> dict | None:
    if service is None or not scope.can(user, "view", m.Contract, service.organisation_id):
        return None
    items = (ServiceComponent.objects.visible_to(user).filter(service=service)
             .values_list("configuration_item_id", flat=True))
    rows = queries.underpinning(service, items, user, timezone.localdate())
    return {"service": service, "rows": rows}


def service_underpinning(service, user) -> dict | None:
    """A business service's section: the current contracts covering it or its
    components, with their support hours and response times."""
    return _underpinning(service, user)


def agreement_underpinning(sla, user) -> dict | None:
    """The same on a service level agreement's page, for the service it is about."""
    return _underpinning(sla.service if sla.service_id else None, user)


def register(registry) -> None:
    registry.add_notification_events("commercial", notices.EVENTS)
    registry.nav_section_order[SECTION] = 40
    registry.register(ModelEntry(
        m.Supplier, filters.SupplierFilterSet, tables.SupplierTable, forms.SupplierForm,
        api.SupplierSerializer, api.SupplierViewSet,
        search_fields=("reference", "name", "company_number"), nav_section=SECTION,
        nav_order=10, comments=True, attachments=True,
        detail_fields=("reference", "name", "company_number", "website", "address",
                       "categories", "status", "criticality", "risk", "manager",
                       "review_every_months", "notes")))
    registry.register(ModelEntry(
        m.Contract, filters.ContractFilterSet, tables.ContractTable, forms.ContractForm,
        api.ContractSerializer, api.ContractViewSet,
        search_fields=("reference", "title", "procurement_reference"), nav_section=SECTION,
        nav_order=20, comments=True, attachments=True,
        detail_fields=("reference", "title", "supplier", "kind", "description", "owner",
                       "annual_value", "whole_life_value", "start_date", "end_date",
                       "renewal_terms", "renewal_months", "notice_period", "notice_unit",
                       "notice_given_on", "notice_given_by", "renewal_agreed_on",
                       "renewal_agreed_by", "procurement_route", "procurement_reference",
                       "support_hours", "response_times")))
    registry.register(ModelEntry(
        m.ContractCover, filters.ContractCoverFilterSet, tables.ContractCoverTable,
        forms.ContractCoverForm, api.ContractCoverSerializer, api.ContractCoverViewSet,
        detail_fields=("contract", "configuration_item", "service", "note")))
    registry.register(ModelEntry(
        m.SupplierContact, filters.SupplierContactFilterSet, tables.SupplierContactTable,
        forms.SupplierContactForm, api.SupplierContactSerializer, api.SupplierContactViewSet,
        search_fields=("name", "email"),
        detail_fields=("supplier", "name", "role", "email", "phone", "is_primary")))
    registry.register(ModelEntry(
        m.SupplierReview, filters.SupplierReviewFilterSet, tables.SupplierReviewTable,
        forms.SupplierReviewForm, api.SupplierReviewSerializer, api.SupplierReviewViewSet,
        search_fields=("supplier__name",), nav_section=SECTION, nav_order=30,
        comments=True, attachments=True,
        detail_fields=("supplier", "held_on", "reviewer", "contracts", "service_levels",
                       "actions", "summary")))
    registry.register(ModelEntry(
        m.SupplierReviewScore, filters.SupplierReviewScoreFilterSet,
        tables.SupplierReviewScoreTable, forms.SupplierReviewScoreForm,
        api.SupplierReviewScoreSerializer, api.SupplierReviewScoreViewSet,
        detail_fields=("review", "criterion", "score", "comment")))
    registry.register(ModelEntry(
        m.UncontractedSystem, filters.UncontractedSystemFilterSet,
        tables.UncontractedSystemTable, forms.UncontractedSystemForm,
        api.UncontractedSystemSerializer, api.UncontractedSystemViewSet,
        search_fields=("configuration_item__name",), nav_section=SECTION, nav_order=50,
        detail_fields=("configuration_item", "reason", "explanation", "review_by")))
    registry.register(ModelEntry(
        m.ReviewCriterion, filters.ReviewCriterionFilterSet, tables.ReviewCriterionTable,
        forms.ReviewCriterionForm, api.ReviewCriterionSerializer, api.ReviewCriterionViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=80, import_key=("name",),
        detail_fields=("name", "description", "position", "is_active")))
    registry.register(ModelEntry(
        m.SupplierCategory, filters.SupplierCategoryFilterSet, tables.SupplierCategoryTable,
        forms.SupplierCategoryForm, api.SupplierCategorySerializer,
        api.SupplierCategoryViewSet, search_fields=("name",), nav_section=SECTION,
        nav_order=90, detail_fields=("name", "description")))
    registry.register(ModelEntry(
        m.CommercialSettings, filters.CommercialSettingsFilterSet,
        tables.CommercialSettingsTable, forms.CommercialSettingsForm,
        api.CommercialSettingsSerializer, api.CommercialSettingsViewSet,
        nav_section=SECTION, nav_order=95, detail_fields=("alert_days",)))

    everything = [m.Supplier, m.SupplierContact, m.SupplierCategory, m.Contract,
                  m.ContractCover, m.SupplierReview, m.SupplierReviewScore,
                  m.UncontractedSystem, m.ReviewCriterion, m.CommercialSettings]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(KEEPS_COMMERCIAL, everything, ("add", "change", "delete"))
    for role in SEES_CONTRACT_VALUES:
        registry.grant(role, ["commercial.view_contract_values"])
    registry.restrict_fields(m.Contract, CONTRACT_VALUES)
    registry.keep_versions(m.Supplier, m.SupplierVersion)
    registry.keep_versions(m.Contract, m.ContractVersion)
    registry.keep_versions(m.ContractCover, m.ContractCoverVersion)
    registry.keep_versions(m.UncontractedSystem, m.UncontractedSystemVersion)
    registry.unlist(m.CalendarFeed, "A person's secret renewals calendar addresses, made and "
                                    "stopped from the renewals page (Calendar addresses).")
    registry.add_actions(services.CONTRACT_ACTIONS)
    registry.periodic_jobs["commercial-contract-alerts"] = (services.remind_contract_dates,
                                                            24 * 3600)
    registry.periodic_jobs["commercial-supplier-reviews"] = (services.remind_supplier_reviews,
                                                             24 * 3600)
    registry.organisation_setup.append(services.set_up_organisation)
    registry.nav_links.append(NavLink(SECTION, "Renewals", "commercial:renewals", m.Contract,
                                      order=25))
    registry.api_routes.append(("commercial/renewals", api.RenewalsViewSet,
                                "commercial-renewals"))
    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "contracts", "commercial/includes/item_contracts_panel.html", item_contracts,
        order=40, annotations=queries.item_annotations))
    registry.add_detail_panel(BusinessService, DetailPanel(
        "underpinning-contracts", "commercial/includes/underpinning_panel.html",
        service_underpinning, order=40))
    registry.add_detail_panel(ServiceLevelAgreement, DetailPanel(
        "underpinning-contracts", "commercial/includes/underpinning_panel.html",
        agreement_underpinning, order=40))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
