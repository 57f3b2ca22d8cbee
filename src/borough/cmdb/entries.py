"""What the CMDB adds to the registry: CI classes, configuration items and their
relationships, who may change them, and the classes a new organisation starts with."""

from __future__ import annotations

from django.urls import reverse_lazy

from borough.cmdb import (
    api,
    baseline_api,
    evidence,
    filters,
    forms,
    importers,
    services,
    systems_api,
    tables,
)
from borough.cmdb import models as m
from borough.cmdb.discovery import api as discovery_api
from borough.cmdb.discovery import filters as discovery_filters
from borough.cmdb.discovery import forms as discovery_forms
from borough.cmdb.discovery import services as discovery
from borough.cmdb.discovery import tables as discovery_tables
from borough.core import roles
from borough.core.registry import ModelEntry, NavLink

SECTION = "Configuration"

# ICT staff who build and run the estate keep its records; the change and security roles
# record what their work finds. Everyone else who reads everything reads these.
CHANGES_ITEMS = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD,
                 roles.CHANGE_MANAGER, roles.SECURITY_OFFICER]


def register(registry) -> None:
    registry.nav_section_order[SECTION] = 30
    registry.register(ModelEntry(
        m.ConfigurationItem, filters.ConfigurationItemFilterSet, tables.ConfigurationItemTable,
        forms.ConfigurationItemForm, api.ConfigurationItemSerializer,
        api.ConfigurationItemViewSet, search_fields=("reference", "name"),
        nav_section=SECTION, nav_order=10, comments=True, attachments=True,
        suggest_url=reverse_lazy("api:cmdb-configurationitem-suggest"),
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

    registry.register(ModelEntry(
        m.DirectorySource, discovery_filters.DirectorySourceFilterSet,
        discovery_tables.DirectorySourceTable, discovery_forms.DirectorySourceForm,
        discovery_api.DirectorySourceSerializer, discovery_api.DirectorySourceViewSet,
        search_fields=("name", "base_dn"), nav_section=SECTION, nav_order=40,
        detail_fields=("name", "is_enabled", "server_uri", "start_tls", "bind_dn",
                       "password_env", "base_dn", "search_filter", "server_class",
                       "device_class", "server_os_contains", "server_ous", "site",
                       "run_every_hours", "page_size")))
    registry.unlist(m.DiscoveryRun, "Written by discovery, never by people: read-only "
                                    "pages at /configuration/discovery-runs/ and "
                                    "/api/cmdb/discovery-runs/.")
    registry.nav_links.append(NavLink(SECTION, "Discovery runs", "cmdb:discoveryrun_list",
                                      m.DiscoveryRun, order=50))
    registry.api_routes.append(("cmdb/discovery-runs", discovery_api.DiscoveryRunViewSet,
                                "cmdb-discoveryrun"))
    registry.periodic_jobs["cmdb-directory-discovery"] = (discovery.run_due_sources, 900)
    registry.job_records.append(NavLink(SECTION, "Directory discovery runs",
                                        "cmdb:discoveryrun_list", m.DiscoveryRun))

    registry.register(ModelEntry(
        m.Baseline, filters.BaselineFilterSet, tables.BaselineTable, forms.BaselineForm,
        baseline_api.BaselineSerializer, baseline_api.BaselineViewSet,
        search_fields=("name",), nav_section=SECTION, nav_order=45,
        detail_fields=("name", "description", "taken_at", "taken_by", "item_count",
                       "relationship_count")))

    # Every state of items and relationships, for "as of" and comparisons (core.temporal).
    registry.keep_versions(m.ConfigurationItem, m.ConfigurationItemVersion)
    registry.keep_versions(m.Relationship, m.RelationshipVersion)
    registry.unlist(m.BaselineItem, "A baseline's frozen items, shown on its page.")
    registry.unlist(m.BaselineRelationship, "A baseline's frozen relationships, shown on its "
                                            "page.")
    registry.unlist(m.GraphGeneration, "A number database triggers move when relationships "
                                       "are written (cmdb.graphcache); nobody reads it.")

    everything = [m.CIClass, m.ConfigurationItem, m.Relationship, m.DirectorySource,
                  m.DiscoveryRun, m.Baseline]


    # Spreadsheet imports (cmdb/importers.py): items of any class, a systems return,
    # relationships.
    items, links = registry.get(m.ConfigurationItem), registry.get(m.Relationship)
    registry.importers["cmdb.configurationitem"] = importers.ConfigurationItemImporter(items)
    registry.importers["cmdb.systems-return"] = importers.SystemsReturnImporter(
        items, key="cmdb.systems-return", title="Import a systems return",
        url_name="cmdb:systems_return_import")
    registry.importers["cmdb.relationship"] = importers.RelationshipImporter(links)

    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    # A source holds how Borough reaches the directory: administrators set it up and run
    # it (Run now needs change).
    registry.grant_models([roles.ADMINISTRATOR], [m.DirectorySource],
                          ("add", "change", "delete"))
    registry.grant_models(CHANGES_ITEMS, [m.ConfigurationItem, m.Relationship],
                          ("add", "change", "delete"))
    # Whoever changes items may take a baseline of them; nobody changes one once taken
    # (no "change" is granted, and Baseline.clean refuses); the ICT manager and
    # administrators may delete an obsolete one.
    registry.grant_models(CHANGES_ITEMS, [m.Baseline], ("add",))
    registry.grant_models([roles.ADMINISTRATOR, roles.ICT_MANAGER], [m.Baseline], ("delete",))
    # A class's schema shapes every item of it: administrators and the ICT manager.
    registry.grant_models([roles.ADMINISTRATOR, roles.ICT_MANAGER], [m.CIClass],
                          ("add", "change", "delete"))
    registry.organisation_setup.append(services.set_up_organisation)
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
    registry.api_routes.append(("cmdb/architecture-map", systems_api.ArchitectureMapViewSet,
                                "cmdb-architecture-map"))
    registry.nav_links.append(NavLink("Catalogues", "Systems catalogue",
                                      "cmdb:systems_catalogue", m.ConfigurationItem, order=4))
    registry.nav_links.append(NavLink(SECTION, "Architecture map", "cmdb:architecture_map",
                                      m.ConfigurationItem, order=25))
