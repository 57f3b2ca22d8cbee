"""What the configuration library adds to the registry: documents and their links (pages
and API), versions (API, and rows on a document's page), who may read, write and
download what, the review reminders, the evidence rules and the "Documents" sections of
the CI and CI class pages."""

from __future__ import annotations

from borough.catalogue.models import BusinessService
from borough.cmdb.models import CIClass, ConfigurationItem
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.library import api, evidence, filters, forms, notices, queries, services, tables
from borough.library import models as m

# The CMDB's menu section: the library is part of configuration management.
SECTION = "Configuration"

# Those who change configuration items keep the library: the same roles as
# cmdb.entries.CHANGES_ITEMS (not imported: an app reads another's models, queries and
# services only; tests/library/test_permissions.py checks that the two lists agree).
WRITERS = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.TEAM_LEAD, roles.CHANGE_MANAGER,
           roles.SECURITY_OFFICER]

# Who may download files of the higher classifications (docs/library.md). Every role
# that reads everything sees that such a document exists, its details and versions.
# OFFICIAL-SENSITIVE: ICT staff and the Auditor, not a service unit's head (a business
# reader, not ICT staff). SECRET: the ICT manager, the Security Officer and
# administrators.
SENSITIVE_READERS = [r for r in roles.READ_ALL_ROLES if r != roles.SERVICE_UNIT_HEAD]
SECRET_READERS = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.SECURITY_OFFICER]


def register(registry) -> None:
    registry.add_notification_events("library", notices.EVENTS)
    registry.register(ModelEntry(
        m.Document, filters.DocumentFilterSet, tables.DocumentTable, forms.DocumentForm,
        api.DocumentSerializer, api.DocumentViewSet,
        search_fields=("reference", "title"), nav_section=SECTION, nav_order=60,
        detail_fields=("reference", "title", "kind", "topic", "status", "owner",
                       "classification", "review_period_months", "next_review_on",
                       "last_reviewed_on", "last_reviewed_by", "description")))
    registry.register(ModelEntry(
        m.DocumentLink, filters.DocumentLinkFilterSet, tables.DocumentLinkTable,
        forms.DocumentLinkForm, api.DocumentLinkSerializer, api.DocumentLinkViewSet,
        detail_fields=("document", "configuration_item", "ci_class", "note")))
    registry.unlist(m.DocumentVersion, "Uploaded, listed and downloaded on its document's "
                                       "page; at /api/library/document-versions/.")
    registry.api_routes.append(("library/document-versions", api.DocumentVersionViewSet,
                                "library-documentversion"))
    registry.nav_links.append(NavLink(SECTION, "Reviews due", "library:reviews_due",
                                      m.Document, order=65))
    registry.add_actions(services.DOCUMENT_ACTIONS)
    registry.add_actions(services.VERSION_ACTIONS)

    everything = [m.Document, m.DocumentVersion, m.DocumentLink]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(WRITERS, [m.Document, m.DocumentLink], ("add", "change", "delete"))
    # Versions are added and published, never changed or deleted.
    registry.grant_models(WRITERS, [m.DocumentVersion], ("add", "change"))
    for role in SENSITIVE_READERS:
        registry.grant(role, ["library.download_sensitive_document"])
    for role in SECRET_READERS:
        registry.grant(role, ["library.download_secret_document"])

    registry.periodic_jobs["library-review-reminders"] = (services.remind_review_owners,
                                                          6 * 3600)
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "library-documents", "library/includes/documents_panel.html", queries.item_panel,
        order=50, annotations=queries.item_annotations))
    registry.add_detail_panel(BusinessService, DetailPanel(
        "library-documents", "library/includes/documents_panel.html", queries.service_panel,
        order=50))
    registry.add_detail_panel(CIClass, DetailPanel(
        "library-documents", "library/includes/documents_panel.html", queries.class_panel,
        order=50))
