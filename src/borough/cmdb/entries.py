"""What the CMDB adds to the registry: CI classes, configuration items and their
relationships, who may change them, and the classes a new organisation starts with."""

from __future__ import annotations

from borough.cmdb import api, filters, forms, importers, services, tables
from borough.cmdb import models as m
from borough.core import roles
from borough.core.registry import ModelEntry

SECTION = "Configuration"

# ICT staff who build and run the estate keep its records; the change and security roles
# record what their work finds. Everyone else who reads everything reads these.
CHANGES_ITEMS = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD,
                 roles.CHANGE_MANAGER, roles.SECURITY_OFFICER]


def register(registry) -> None:
    registry.register(ModelEntry(
        m.ConfigurationItem, filters.ConfigurationItemFilterSet, tables.ConfigurationItemTable,
        forms.ConfigurationItemForm, api.ConfigurationItemSerializer,
        api.ConfigurationItemViewSet, search_fields=("reference", "name"),
        nav_section=SECTION, nav_order=10, comments=True, attachments=True,
        detail_fields=("reference", "name", "ci_class", "status", "owner", "service_unit",
                       "support_team",
                       "site", "criticality", "data_classification", "description")))
    registry.register(ModelEntry(
        m.Relationship, filters.RelationshipFilterSet, tables.RelationshipTable,
        forms.RelationshipForm, api.RelationshipSerializer, api.RelationshipViewSet,
        search_fields=("source__name", "target__name", "redundancy_group"),
        nav_section=SECTION, nav_order=20,
        detail_fields=("source", "relationship_type", "target", "redundancy_group",
                       "description")))
    registry.register(ModelEntry(
        m.CIClass, filters.CIClassFilterSet, tables.CIClassTable, forms.CIClassForm,
        api.CIClassSerializer, api.CIClassViewSet, search_fields=("name", "code"),
        nav_section=SECTION, nav_order=30,
        detail_fields=("name", "code", "description", "is_active")))

    # Spreadsheet imports (cmdb/importers.py): items of any class, a systems return,
    # relationships.
    items, links = registry.get(m.ConfigurationItem), registry.get(m.Relationship)
    registry.importers["cmdb.configurationitem"] = importers.ConfigurationItemImporter(items)
    registry.importers["cmdb.systems-return"] = importers.SystemsReturnImporter(
        items, key="cmdb.systems-return", title="Import a systems return",
        url_name="cmdb:systems_return_import")
    registry.importers["cmdb.relationship"] = importers.RelationshipImporter(links)

    everything = [m.CIClass, m.ConfigurationItem, m.Relationship]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(CHANGES_ITEMS, [m.ConfigurationItem, m.Relationship],
                          ("add", "change", "delete"))
    # A class's schema shapes every item of it: administrators and the ICT manager.
    registry.grant_models([roles.ADMINISTRATOR, roles.ICT_MANAGER], [m.CIClass],
                          ("add", "change", "delete"))
    registry.organisation_setup.append(services.set_up_organisation)
