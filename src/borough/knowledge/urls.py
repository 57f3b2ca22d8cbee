from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.knowledge import models as m
from borough.knowledge import services, views

app_name = "knowledge"

urlpatterns = [
    path("help/", views.HelpView.as_view(), name="help"),
    path("help/suggest/", views.SuggestView.as_view(), name="suggest"),
    *crud_urls(registry.get(m.Article), "articles", detail=views.ArticleDetailView),
    *action_urls(services.ARTICLE_ACTIONS, "articles", page=views.article_page,
                 only=("publish", "retire", "review", "feedback")),
    *action_urls(services.ARTICLE_ACTIONS, "articles", page=views.article_page,
                 back=views.after_answered, only=("answered",)),
    *crud_urls(registry.get(m.ArticleFeedback), "feedback"),
    *crud_urls(registry.get(m.Deflection), "deflections"),
]
