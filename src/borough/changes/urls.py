from django.urls import path

from borough.changes import models as m
from borough.changes import services, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.core.views.imports import ObjectImportView

app_name = "changes"

urlpatterns = [
    path("schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("schedule/calendar/", views.FeedsView.as_view(), name="feeds"),
    path("schedule/calendar/<int:pk>/revoke/", views.FeedRevokeView.as_view(),
         name="feed_revoke"),
    path("calendar/<str:secret>/changes.ics", views.FeedView.as_view(), name="feed"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    *crud_urls(registry.get(m.Change), "changes", detail=views.ChangeDetailView,
               add=views.ChangeCreateView, **{"import": ObjectImportView}),
    *action_urls(services.CHANGE_ACTIONS, "changes", page=views.change_page),
    *crud_urls(registry.get(m.Meeting), "meetings", detail=views.MeetingDetailView),
    *action_urls(services.MEETING_ACTIONS, "meetings", page=views.meeting_page),
    path("meetings/<int:pk>/print/", views.MeetingPrintView.as_view(), name="meeting_print"),
    *crud_urls(registry.get(m.ChangeTemplate), "templates"),
    *crud_urls(registry.get(m.Board), "boards"),
    *crud_urls(registry.get(m.BoardMember), "board-members"),
    *crud_urls(registry.get(m.ScheduleWindow), "blackouts"),
    *crud_urls(registry.get(m.MaintenanceWindow), "maintenance-windows"),
    *crud_urls(registry.get(m.RiskQuestion), "risk-questions"),
    *crud_urls(registry.get(m.CausedIncident), "caused-incidents",
               add=views.CausedIncidentCreateView, **{"import": ObjectImportView}),
]
