from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.problems import models as m
from borough.problems import services, views

app_name = "problems"

urlpatterns = [
    path("trends/", views.TrendsView.as_view(), name="trends"),
    path("trends/raise/", views.RaiseFromTrendView.as_view(), name="trend_raise"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("known-errors/suggested/", views.SuggestedKnownErrorsView.as_view(),
         name="suggested"),
    path("tickets/<int:pk>/link/", views.LinkTicketView.as_view(), name="ticket_link"),
    *crud_urls(registry.get(m.Problem), "problems", detail=views.ProblemDetailView,
               add=views.ProblemCreateView),
    *action_urls(services.PROBLEM_ACTIONS, "problems", page=views.problem_page),
    *crud_urls(registry.get(m.KnownError), "known-errors"),
    *[path(f"known-errors/<int:pk>/{a.name}/",
           views.OnTicketActionView.as_view(record_action=a), name=f"knownerror_{a.api_name}")
      for a in services.KNOWN_ERROR_ACTIONS],
    *crud_urls(registry.get(m.AnalysisStep), "analysis-steps"),
    *crud_urls(registry.get(m.ProblemIncident), "linked-incidents"),
    *crud_urls(registry.get(m.KnownErrorUse), "known-error-uses"),
    *crud_urls(registry.get(m.CauseCategory), "cause-categories"),
    *crud_urls(registry.get(m.TrendRule), "trend-rules"),
]
