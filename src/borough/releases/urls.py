from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.releases import models as m
from borough.releases import services, views

app_name = "releases"

# Mounted under changes/ (borough/urls.py): /changes/releases/…
urlpatterns = [
    path("release-figures/", views.FiguresView.as_view(), name="figures"),
    *crud_urls(registry.get(m.Release), "releases", detail=views.ReleaseDetailView),
    *action_urls(services.RELEASE_ACTIONS, "releases", page=views.release_page),
    *crud_urls(registry.get(m.ReleaseItem), "release-software"),
]
