"""What the commercial module adds to the registry: suppliers, their contacts and
categories, contracts and what each covers, and who may read and change them."""

from __future__ import annotations

from borough.commercial import api, filters, forms, tables
from borough.commercial import models as m
from borough.core import roles
from borough.core.registry import ModelEntry

SECTION = "Commercial"

# Who keeps the commercial records: ICT management (and administrators). Team leads read
# them, as everyone who reads everything does.
KEEPS_COMMERCIAL = [roles.ADMINISTRATOR, roles.ICT_MANAGER]


def register(registry) -> None:
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
                       "notice_given_on", "procurement_route", "procurement_reference",
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
        m.SupplierCategory, filters.SupplierCategoryFilterSet, tables.SupplierCategoryTable,
        forms.SupplierCategoryForm, api.SupplierCategorySerializer,
        api.SupplierCategoryViewSet, search_fields=("name",), nav_section=SECTION,
        nav_order=90, detail_fields=("name", "description")))

    everything = [m.Supplier, m.SupplierContact, m.SupplierCategory, m.Contract,
                  m.ContractCover]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(KEEPS_COMMERCIAL, everything, ("add", "change", "delete"))
    registry.keep_versions(m.Contract, m.ContractVersion)
    registry.keep_versions(m.ContractCover, m.ContractCoverVersion)
