from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.imports import ObjectImportView
from borough.finance import models as m
from borough.finance import views

app_name = "finance"

urlpatterns = [
    path("budget/", views.MonitoringView.as_view(), name="monitoring"),
    path("costs/", views.CostsView.as_view(), name="costs"),
    path("recharges/", views.RechargeRunsView.as_view(), name="recharge_runs"),
    path("recharges/statement/", views.MyStatementView.as_view(), name="my_statement"),
    path("recharges/<int:pk>/", views.RechargeRunView.as_view(), name="recharge_run"),
    path("recharges/<int:pk>/units/<int:unit>/", views.StatementView.as_view(),
         name="statement"),
    path("recharges/<int:pk>/units/<int:unit>/pdf/", views.StatementPdfView.as_view(),
         name="statement_pdf"),
    path("recharges/<int:pk>/units/<int:unit>/xlsx/", views.StatementXlsxView.as_view(),
         name="statement_xlsx"),
    *crud_urls(registry.get(m.CostCentre), "cost-centres"),
    *crud_urls(registry.get(m.Budget), "budgets"),
    *crud_urls(registry.get(m.CostLine), "cost-lines", **{"import": ObjectImportView}),
    *crud_urls(registry.get(m.Commitment), "commitments"),
    *crud_urls(registry.get(m.CostPool), "cost-pools"),
    *crud_urls(registry.get(m.PoolShare), "pool-shares"),
    *crud_urls(registry.get(m.FinanceSettings), "settings"),
    *crud_urls(registry.get(m.TeamStaffRate), "team-staff-rates"),
]
