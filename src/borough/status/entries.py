"""What service status adds to the registry: announcements and subscriptions, who may
read and publish them, the announcement's record actions, the status page in the menu,
the panels on the portal, the home page and a major incident's page, the listener that
closes an incident's announcement with it, and the evidence rule."""

from __future__ import annotations

from borough.core import roles
from borough.core.home import HomePanel
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.servicedesk.models import Ticket
from borough.status import api, evidence, filters, forms, notices, services, tables, views
from borough.status import models as m

SECTION = "Catalogues"
# Who publishes announcements: the desk, its leads, change and ICT management.
ANNOUNCE = [roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.ICT_MANAGER,
            roles.ADMINISTRATOR]
MANAGE = [roles.ICT_MANAGER, roles.ADMINISTRATOR]
# The portal's home shows the status panel (servicedesk.views.portal).
PORTAL_HOME = "servicedesk.portal_home"


def register(registry) -> None:
    registry.add_notification_events("status", notices.EVENTS)
    # Beside the business services whose state it tells (the catalogue's section): a
    # section of its own would not fit the menu's one line at 1280 px.
    registry.register(ModelEntry(
        m.Announcement, filters.AnnouncementFilterSet, tables.AnnouncementTable,
        forms.AnnouncementForm, api.AnnouncementSerializer, api.AnnouncementViewSet,
        search_fields=("reference", "title"), nav_section=SECTION, nav_order=30,
        detail_fields=("reference", "kind", "state", "title", "description", "starts_at",
                       "expected_end_at", "resolved_at", "source_text")))
    registry.register(ModelEntry(
        m.Subscription, filters.SubscriptionFilterSet, tables.SubscriptionTable,
        forms.SubscriptionForm, api.SubscriptionSerializer, api.SubscriptionViewSet,
        detail_fields=("service", "user", "created_at")))
    registry.unlist(m.AnnouncementUpdate, "The updates posted on an announcement, shown "
                                          "on its page and in its API record.")
    registry.unlist(m.AnnouncementEmail, "The record of each email sent about an "
                                         "announcement, so none is sent twice.")
    registry.nav_links.append(NavLink(SECTION, "Service status", "status:page",
                                      m.Announcement, order=29))

    # Everyone reads announcements (requesters on the portal and the status page).
    registry.grant_models(roles.ALL_ROLES, [m.Announcement], ("view",))
    registry.grant_models(ANNOUNCE, [m.Announcement], ("add", "change"))
    registry.grant_models(MANAGE, [m.Announcement], ("delete",))
    # Everyone may subscribe themself (the auditor changes nothing); staff read everyone's
    # subscriptions, ICT management changes anyone's (models.SubscriptionQuerySet).
    registry.grant_models(roles.ALL_ROLES, [m.Subscription], ("view",))
    registry.grant_models([r for r in roles.ALL_ROLES if r != roles.AUDITOR],
                          [m.Subscription], ("add", "change", "delete"))
    for role in roles.READ_ALL_ROLES:
        registry.grant(role, [m.VIEW_ALL_SUBSCRIPTIONS])
    for role in MANAGE:
        registry.grant(role, [m.MANAGE_ALL_SUBSCRIPTIONS])

    registry.add_actions(services.ANNOUNCEMENT_ACTIONS)
    registry.on_transition(Ticket, ("resolve", "cancel"), services.close_with_incident)
    registry.add_detail_panel(Ticket, DetailPanel(
        "status", "status/includes/ticket_panel.html", views.ticket_panel, order=30))
    registry.add_page_panel(PORTAL_HOME, DetailPanel(
        "status", "status/includes/portal_panel.html", views.portal_panel, order=10))
    registry.add_home_panel(HomePanel("status-now", "status/includes/home_panel.html",
                                      views.home_panel, order=8))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
