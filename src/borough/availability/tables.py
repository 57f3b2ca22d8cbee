import django_tables2 as tables

from borough.availability import models as m
from borough.core.tables import BaseTable


class OutageTable(BaseTable):
    reference = tables.Column(linkify=True)
    started_at = tables.DateTimeColumn(verbose_name="Down from", format="j M Y H:i")
    ended_at = tables.DateTimeColumn(verbose_name="Back at", format="j M Y H:i",
                                     default="Still down")

    class Meta(BaseTable.Meta):
        model = m.Outage
        fields = ("reference", "service", "started_at", "ended_at", "kind", "source",
                  "ticket", "change")
        empty_text = "No outages match."
