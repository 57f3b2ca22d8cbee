"""What the finance module adds to the registry: cost centres, budgets, cost lines,
commitments, cost pools and their shares; recharge runs and statements (pages of their
own); who may read them (finance figures: the ICT manager, administrators and the
auditor; a head of service their own unit's recharge statement); the cost line import;
the cost panels on the system and business service pages and the showback on the
systems catalogue; the evidence rules."""

from __future__ import annotations

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.core import roles
from borough.core.registry import DetailPanel, ModelEntry, NavLink
from borough.finance import api, api_views, evidence, filters, forms, importers, panels, tables
from borough.finance import models as m

SECTION = "Finance"

# Who keeps the finance records, and who reads the figures.
KEEPS_FINANCE = [roles.ADMINISTRATOR, roles.ICT_MANAGER]
READS_FINANCE = [roles.ADMINISTRATOR, roles.ICT_MANAGER, roles.AUDITOR]


def register(registry) -> None:
    registry.nav_section_order[SECTION] = 45
    registry.register(ModelEntry(
        m.CostCentre, filters.CostCentreFilterSet, tables.CostCentreTable,
        forms.CostCentreForm, api.CostCentreSerializer, api.CostCentreViewSet,
        search_fields=("code", "name"), nav_section=SECTION, nav_order=60,
        import_key=("code",), detail_fields=("code", "name", "service_unit", "is_active")))
    registry.register(ModelEntry(
        m.Budget, filters.BudgetFilterSet, tables.BudgetTable, forms.BudgetForm,
        api.BudgetSerializer, api.BudgetViewSet, nav_section=SECTION, nav_order=20,
        detail_fields=("year", "cost_centre", "amount", "monthly_profile", "note")))
    registry.register(ModelEntry(
        m.CostLine, filters.CostLineFilterSet, tables.CostLineTable, forms.CostLineForm,
        api.CostLineSerializer, api.CostLineViewSet,
        search_fields=("description", "transaction_reference"), nav_section=SECTION,
        nav_order=30, comments=True, attachments=True,
        detail_fields=("date", "year", "amount", "description", "cost_centre", "supplier",
                       "transaction_reference", "configuration_item", "service",
                       "contract")))
    registry.register(ModelEntry(
        m.Commitment, filters.CommitmentFilterSet, tables.CommitmentTable,
        forms.CommitmentForm, api.CommitmentSerializer, api.CommitmentViewSet,
        search_fields=("reference", "description", "source_reference"), nav_section=SECTION,
        nav_order=35, comments=True,
        detail_fields=("reference", "year", "cost_centre", "amount", "description", "date",
                       "status", "source_reference")))
    registry.register(ModelEntry(
        m.CostPool, filters.CostPoolFilterSet, tables.CostPoolTable, forms.CostPoolForm,
        api.CostPoolSerializer, api.CostPoolViewSet, search_fields=("name",),
        nav_section=SECTION, nav_order=50,
        detail_fields=("year", "name", "description", "basis", "cost_centres", "amount")))
    registry.register(ModelEntry(
        m.PoolShare, filters.PoolShareFilterSet, tables.PoolShareTable, forms.PoolShareForm,
        api.PoolShareSerializer, api.PoolShareViewSet,
        detail_fields=("pool", "service_unit", "percent")))
    registry.register(ModelEntry(
        m.FinanceSettings, filters.FinanceSettingsFilterSet, tables.FinanceSettingsTable,
        forms.FinanceSettingsForm, api.FinanceSettingsSerializer, api.FinanceSettingsViewSet,
        nav_section=SECTION, nav_order=90, detail_fields=("staff_hourly_rate",)))
    registry.register(ModelEntry(
        m.TeamStaffRate, filters.TeamStaffRateFilterSet, tables.TeamStaffRateTable,
        forms.TeamStaffRateForm, api.TeamStaffRateSerializer, api.TeamStaffRateViewSet,
        nav_section=SECTION, nav_order=91, detail_fields=("team", "year", "hourly_rate")))
    registry.unlist(m.BudgetReview, "A review of the budget monitoring page, recorded from "
                                    "it (/finance/budget/) and listed there.")
    registry.unlist(m.RechargeRun, "Made by a recharge run, never edited: pages at "
                                   "/finance/recharges/, API at /api/finance/recharge-runs/.")
    registry.unlist(m.RechargeLine, "A line of a recharge statement, read on the statement "
                                    "pages and through /api/finance/recharge-runs/.")

    kept = [m.CostCentre, m.Budget, m.CostLine, m.Commitment, m.CostPool, m.PoolShare,
            m.BudgetReview, m.FinanceSettings, m.TeamStaffRate]
    registry.grant_models(READS_FINANCE, [*kept, m.RechargeRun, m.RechargeLine], ("view",))
    registry.grant_models(KEEPS_FINANCE, kept, ("add", "change", "delete"))
    # A run is made and issued (add, change), never edited or deleted by hand.
    registry.grant_models(KEEPS_FINANCE, [m.RechargeRun], ("add", "change"))
    # A head of service reads the lines of their own unit's statements (the lines'
    # object rule), nothing else of finance.
    registry.grant_models([roles.SERVICE_UNIT_HEAD], [m.RechargeLine], ("view",))

    lines = registry.get(m.CostLine)
    registry.importers["finance.costline"] = importers.CostLineImporter(lines)

    registry.nav_links.append(NavLink(SECTION, "Budget monitoring", "finance:monitoring",
                                      m.Budget, order=10))
    registry.nav_links.append(NavLink(SECTION, "Total costs", "finance:costs", m.CostLine,
                                      order=40))
    registry.nav_links.append(NavLink(SECTION, "Recharges", "finance:recharge_runs",
                                      m.RechargeRun, order=55))
    registry.nav_links.append(NavLink(SECTION, "Our recharge statement",
                                      "finance:my_statement", m.RechargeLine, order=56))
    registry.api_routes.append(("finance/recharge-runs", api_views.RechargeRunViewSet,
                                "finance-rechargerun"))
    registry.api_routes.append(("finance/budget-monitoring", api_views.MonitoringViewSet,
                                "finance-monitoring"))
    registry.api_routes.append(("finance/total-costs", api_views.TotalCostViewSet,
                                "finance-totalcost"))

    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "finance-cost", "finance/includes/cost_panel.html", panels.item_cost, order=60))
    registry.add_detail_panel(BusinessService, DetailPanel(
        "finance-cost", "finance/includes/cost_panel.html", panels.service_cost, order=60))
    registry.add_page_panel("cmdb.systems_catalogue", DetailPanel(
        "finance-showback", "finance/includes/showback_panel.html", panels.showback,
        order=10))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
