"""What release management adds to the registry: releases and the software they deliver;
who may read, plan and drive them; the record actions; the change page's panel; the
figures page; the evidence rule. Its pages sit in the Changes menu."""

from __future__ import annotations

from borough.changes.models import Change
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.releases import api, evidence, filters, forms, notices, panels, services, tables
from borough.releases import models as m

# Change management's menu section (changes/entries.py): releases are its work too.
SECTION = "Changes"
# Who plans, tests, decides, deploys and closes releases.
MANAGE = [roles.CHANGE_MANAGER, roles.ICT_MANAGER, roles.ADMINISTRATOR]


def register(registry) -> None:
    registry.register(ModelEntry(
        m.Release, filters.ReleaseFilterSet, tables.ReleaseTable, forms.ReleaseForm,
        api.ReleaseSerializer, api.ReleaseViewSet, search_fields=("reference", "title"),
        nav_section=SECTION, nav_order=15, comments=True, attachments=True,
        detail_fields=("reference", "title", "release_type", "status", "owner",
                       "description", "planned_test_date", "planned_live_date",
                       "release_notes")))
    registry.register(ModelEntry(
        m.ReleaseItem, filters.ReleaseItemFilterSet, tables.ReleaseItemTable,
        forms.ReleaseItemForm, api.ReleaseItemSerializer, api.ReleaseItemViewSet,
        search_fields=("software__name", "to_version"),
        detail_fields=("release", "software", "from_version", "to_version", "licence",
                       "note")))
    registry.nav_links.append(NavLink(SECTION, "Release figures", "releases:figures",
                                      m.Release, order=91))

    everything = [m.Release, m.ReleaseItem]
    registry.grant_models(roles.READ_ALL_ROLES, everything, ("view",))
    registry.grant_models(MANAGE, everything, ("add", "change"))
    registry.grant_models(MANAGE, [m.ReleaseItem], ("delete",))
    for role in MANAGE:
        registry.grant(role, [m.MANAGE])
    # Releases are cancelled, not deleted; an administrator may remove one made by mistake.
    registry.grant_models([roles.ADMINISTRATOR], [m.Release], ("delete",))
    registry.add_actions(services.RELEASE_ACTIONS)
    registry.add_notification_events("releases", notices.EVENTS)
    registry.add_detail_panel(Change, DetailPanel(
        "releases", "releases/includes/change_panel.html", panels.change_panel, order=20))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
