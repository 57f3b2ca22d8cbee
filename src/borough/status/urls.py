from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.status import models as m
from borough.status import services, views

app_name = "status"

ANNOUNCEMENTS = registry.get(m.Announcement)
SUBSCRIPTIONS = registry.get(m.Subscription)

urlpatterns = [
    path("", views.StatusPageView.as_view(entry=ANNOUNCEMENTS), name="page"),
    path("figures/", views.FiguresView.as_view(entry=ANNOUNCEMENTS), name="figures"),
    path("services/<int:pk>/subscribe/", views.SubscribeView.as_view(entry=SUBSCRIPTIONS),
         name="subscribe"),
    path("services/<int:pk>/unsubscribe/",
         views.UnsubscribeView.as_view(entry=SUBSCRIPTIONS), name="unsubscribe"),
    path("incidents/<int:pk>/announce/", views.AnnounceOutageView.as_view(entry=ANNOUNCEMENTS),
         name="announce_outage"),
    *crud_urls(ANNOUNCEMENTS, "announcements", add=views.AnnouncementCreateView,
               detail=views.AnnouncementDetailView),
    *action_urls(services.ANNOUNCEMENT_ACTIONS, "announcements",
                 page=views.announcement_page),
    *crud_urls(SUBSCRIPTIONS, "subscriptions", add=views.SubscriptionCreateView),
]
