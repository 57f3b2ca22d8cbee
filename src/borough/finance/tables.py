import django_tables2 as tables

from borough.core.tables import BaseTable, MoneyColumn
from borough.finance import models as m
from borough.finance.years import FinancialYear


class YearColumn(tables.Column):
    def render(self, value):
        return FinancialYear(value).label


class CostCentreTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CostCentre
        fields = ("code", "name", "service_unit", "is_active")
        empty_text = "No cost centres match."


class BudgetTable(BaseTable):
    cost_centre = tables.Column(linkify=lambda record: record.get_absolute_url())
    year = YearColumn()
    amount = MoneyColumn(verbose_name="Budget")

    class Meta(BaseTable.Meta):
        model = m.Budget
        fields = ("cost_centre", "year", "amount")
        empty_text = "No budgets match."


class CostLineTable(BaseTable):
    description = tables.Column(linkify=True)
    amount = MoneyColumn(verbose_name="Amount")

    class Meta(BaseTable.Meta):
        model = m.CostLine
        fields = ("date", "description", "amount", "cost_centre", "supplier",
                  "configuration_item", "service", "contract")
        empty_text = "No cost lines match."


class CommitmentTable(BaseTable):
    description = tables.Column(linkify=True)
    year = YearColumn()
    amount = MoneyColumn(verbose_name="Amount")

    class Meta(BaseTable.Meta):
        model = m.Commitment
        fields = ("reference", "description", "year", "cost_centre", "amount", "date",
                  "status", "source_reference")
        empty_text = "No commitments match."


class CostPoolTable(BaseTable):
    name = tables.Column(linkify=True)
    year = YearColumn()
    amount = MoneyColumn(verbose_name="Fixed amount")

    class Meta(BaseTable.Meta):
        model = m.CostPool
        fields = ("name", "year", "basis", "amount")
        empty_text = "No cost pools match."


class PoolShareTable(BaseTable):
    service_unit = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.PoolShare
        fields = ("service_unit", "pool", "percent")
        empty_text = "No shares match."


class FinanceSettingsTable(BaseTable):
    staff_hourly_rate = MoneyColumn(verbose_name="Staff cost per hour", linkify=True)

    class Meta(BaseTable.Meta):
        model = m.FinanceSettings
        fields = ("staff_hourly_rate",)
        empty_text = "No finance settings yet: staff time is not counted in total costs."


class TeamStaffRateTable(BaseTable):
    team = tables.Column(linkify=lambda record: record.get_absolute_url(),
                         default="The council")
    year = YearColumn(verbose_name="Financial year", default="Every year")
    hourly_rate = MoneyColumn(verbose_name="Staff cost per hour")

    class Meta(BaseTable.Meta):
        model = m.TeamStaffRate
        fields = ("team", "year", "hourly_rate")
        empty_text = ("No rate of a team or a year: the council's rate in the finance "
                      "settings prices all time logged.")
