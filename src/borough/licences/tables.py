import django_tables2 as tables

from borough.core.tables import BaseTable, MoneyColumn
from borough.licences import models as m


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
