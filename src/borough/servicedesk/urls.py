from django.urls import path, re_path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.servicedesk import models as m
from borough.servicedesk.views import portal, requester_link, statistics, workspace

app_name = "servicedesk"

urlpatterns = [
    *crud_urls(registry.get(m.Ticket), "tickets", list=workspace.QueueView,
               add=workspace.TicketCreateView, detail=workspace.TicketDetailView,
               edit=workspace.TicketEditView, delete=workspace.TicketDeleteView,
               export=workspace.TicketExportView),
    re_path(r"^tickets/(?P<pk>\d+)/(?P<action>reply|note|status|resolve|close|assign|priority|"
            r"link|major)/$", workspace.TicketActionView.as_view(), name="ticket_action"),
    path("tickets/bulk/", workspace.BulkActionView.as_view(), name="ticket_bulk"),
    path("tickets/requesters/", workspace.RequesterSearchView.as_view(),
         name="requester_search"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    re_path(r"^statistics/export/(?P<format>csv|xlsx)/$", statistics.StatisticsExportView.as_view(),
            name="statistics_export"),
    path("portal/", portal.PortalHomeView.as_view(), name="portal_home"),
    path("portal/new/", portal.PortalNewView.as_view(), name="portal_new"),
    path("portal/tickets/<int:pk>/", portal.PortalTicketView.as_view(), name="portal_ticket"),
    re_path(r"^portal/tickets/(?P<pk>\d+)/(?P<action>reply|confirm|reopen|rate)/$",
            portal.PortalActionView.as_view(), name="portal_action"),
    # A requester's signed link from an email: no login (servicedesk.links).
    path("link/<str:token>/", requester_link.RequesterLinkView.as_view(),
         name="requester_link"),
    *crud_urls(registry.get(m.Category), "categories"),
    *crud_urls(registry.get(m.PriorityRule), "priority-matrix"),
    *crud_urls(registry.get(m.SLAPolicy), "sla-policies"),
    *crud_urls(registry.get(m.CannedResponse), "canned-responses"),
    *crud_urls(registry.get(m.DeskSettings), "settings"),
]
