from django.urls import path, re_path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.core.views.pages import SectionView
from borough.servicedesk import models as m
from borough.servicedesk.entries import SECTION
from borough.servicedesk.services import TICKET_ACTIONS
from borough.servicedesk.views import portal, requester_link, statistics, workspace

app_name = "servicedesk"

# What a requester does from the portal's page of their ticket.
PORTAL_ACTIONS = ("reply", "confirm", "reopen", "rate", "cancel")

urlpatterns = [
    path("", SectionView.as_view(section=SECTION), name="home"),
    *crud_urls(registry.get(m.Ticket), "tickets", list=workspace.QueueView,
               add=workspace.TicketCreateView, detail=workspace.TicketDetailView,
               edit=workspace.TicketEditView, delete=workspace.TicketDeleteView,
               export=workspace.TicketExportView),
    *action_urls(TICKET_ACTIONS, "tickets", panel=workspace.ticket_panel,
                 page=workspace.ticket_page),
    path("tickets/<int:pk>/compose/", workspace.ComposeView.as_view(), name="ticket_compose"),
    path("tickets/bulk/", workspace.BulkActionView.as_view(), name="ticket_bulk"),
    path("tickets/requesters/", workspace.RequesterSearchView.as_view(),
         name="requester_search"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    re_path(r"^statistics/export/(?P<format>csv|xlsx)/$", statistics.StatisticsExportView.as_view(),
            name="statistics_export"),
    path("portal/", portal.PortalHomeView.as_view(), name="portal_home"),
    path("portal/new/", portal.PortalNewView.as_view(), name="portal_new"),
    path("portal/tickets/<int:pk>/", portal.PortalTicketView.as_view(), name="portal_ticket"),
    *action_urls(TICKET_ACTIONS, "portal/tickets", only=PORTAL_ACTIONS, url_names="portal_ticket",
                 page=portal.portal_page, back=portal.portal_url),
    # A requester's signed link from an email: no login (servicedesk.links).
    path("link/<str:token>/", requester_link.RequesterLinkView.as_view(),
         name="requester_link"),
    *[path(f"link/<str:token>/{name}/", requester_link.RequesterLinkActionView.as_view(
        record_action=TICKET_ACTIONS[name]), name=f"requester_link_{name}")
      for name in requester_link.LINK_ACTIONS],
    *crud_urls(registry.get(m.Category), "categories"),
    *crud_urls(registry.get(m.PriorityRule), "priority-matrix"),
    *crud_urls(registry.get(m.SLAPolicy), "sla-policies"),
    *crud_urls(registry.get(m.CannedResponse), "canned-responses"),
    *crud_urls(registry.get(m.DeskSettings), "settings"),
]
