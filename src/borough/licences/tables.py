import django_tables2 as tables

from borough.core.money import format_pounds
from borough.core.tables import BaseTable
from borough.licences import models as m


class MoneyColumn(tables.Column):
    attrs = {"th": {"class": "govuk-table__header--numeric"},
             "td": {"class": "govuk-table__cell--numeric"}}

    def render(self, value):
        return format_pounds(value)

    def value(self, value):  # exports keep the number
        return value


class LicenceTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Licence
        fields = ("name", "reference", "software", "supplier", "licence_model",
                  "counted_from", "contract")
        empty_text = "No licences match."


class EntitlementTable(BaseTable):
    licence = tables.Column(linkify=lambda record: record.get_absolute_url(),
                            verbose_name="Entitlement")
    cost = MoneyColumn(verbose_name="Cost")

    class Meta(BaseTable.Meta):
        model = m.Entitlement
        fields = ("licence", "quantity", "term_start", "term_end", "cost", "contract",
                  "order_reference")
        empty_text = "No entitlements match."

    def render_licence(self, record):
        return str(record)


class ConsumptionCountTable(BaseTable):
    licence = tables.Column(linkify=lambda record: record.get_absolute_url(),
                            verbose_name="Count")

    class Meta(BaseTable.Meta):
        model = m.ConsumptionCount
        fields = ("licence", "count", "counted_on", "counted_by", "how")
        empty_text = "No counts match."

    def render_licence(self, record):
        return str(record)
