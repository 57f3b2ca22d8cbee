import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.standards import models as m


class AssessmentCycleTable(BaseTable):
    name = tables.Column(linkify=True)
    framework = tables.Column(verbose_name="Framework")
    status = tables.Column()
    starts_on = tables.DateColumn(format="j M Y", verbose_name="Starts")
    ends_on = tables.DateColumn(format="j M Y", verbose_name="Ends")
    approved_at = tables.DateTimeColumn(format="j M Y", verbose_name="Approved")

    class Meta(BaseTable.Meta):
        model = m.AssessmentCycle
        fields = ("name", "framework", "status", "starts_on", "ends_on", "approved_at")
        empty_text = "No assessment cycles yet."
