"""What the licences module adds to the registry: licences, their entitlements and the
counts entered by hand, the compliance page, the panels on a system's and a CI's page,
its evidence rule, and who may read and change them."""

from __future__ import annotations

from borough.cmdb.models import ConfigurationItem
from borough.cmdb.queries import APPLICATION_CLASS
from borough.core import roles, scope
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.licences import api, evidence, filters, forms, queries, tables
from borough.licences import models as m

# Beside suppliers and contracts (the commercial module places the section).
SECTION = "Commercial"

# Licences carry what the council paid: ICT management keeps them, the Auditor reads
# them (the finance figures' readers, docs/licences.md "Who sees what").
KEEPS_LICENCES = [roles.ADMINISTRATOR, roles.ICT_MANAGER]
READS_LICENCES = [*KEEPS_LICENCES, roles.AUDITOR]


def software_licences(item, user) -> dict | None:
    """A system's (and its CI's) panel: its licences and their compliance. Left out for an
    item that is not an application, or with none, or for people who may not read them."""
    if not scope.can(user, "view", m.Licence, item.organisation_id):
        return None
    if item.ci_class.code != APPLICATION_CLASS:
        return None
    found = queries.licences_of_software(item, user)
    can_add = scope.can(user, "add", m.Licence, item.organisation_id)
    if not found and not can_add:
        return None
    return {"item": item, "positions": found, "can_add": can_add}


def register(registry) -> None:
    registry.register(ModelEntry(
        m.Licence, filters.LicenceFilterSet, tables.LicenceTable, forms.LicenceForm,
        api.LicenceSerializer, api.LicenceViewSet,
        search_fields=("reference", "name"), nav_section=SECTION, nav_order=30,
        comments=True, attachments=True,
        detail_fields=("reference", "name", "software", "supplier", "contract",
                       "licence_model", "counted_from", "standard_build", "notes")))
    registry.register(ModelEntry(
        m.Entitlement, filters.EntitlementFilterSet, tables.EntitlementTable,
        forms.EntitlementForm, api.EntitlementSerializer, api.EntitlementViewSet,
        attachments=True,
        detail_fields=("licence", "quantity", "term_start", "term_end", "cost", "contract",
                       "order_reference", "note")))
    registry.register(ModelEntry(
        m.ConsumptionCount, filters.ConsumptionCountFilterSet, tables.ConsumptionCountTable,
        forms.ConsumptionCountForm, api.ConsumptionCountSerializer,
        api.ConsumptionCountViewSet,
        detail_fields=("licence", "count", "counted_on", "counted_by", "how")))

    everything = [m.Licence, m.Entitlement, m.ConsumptionCount]
    registry.grant_models(READS_LICENCES, everything, ("view",))
    registry.grant_models(KEEPS_LICENCES, everything, ("add", "change", "delete"))
    registry.keep_versions(m.Licence, m.LicenceVersion)
    registry.keep_versions(m.Entitlement, m.EntitlementVersion)
    registry.nav_links.append(NavLink(SECTION, "Licence compliance", "licences:compliance",
                                      m.Licence, order=31))
    registry.api_routes.append(("licences/compliance", api.ComplianceViewSet,
                                "licences-compliance"))
    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "software-licences", "licences/includes/licences_panel.html", software_licences,
        order=30))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
