import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.releases import models as m


class ReleaseTable(BaseTable):
    reference = tables.Column(linkify=True)
    planned_test_date = tables.DateColumn(verbose_name="Test from", format="j M Y")
    planned_live_date = tables.DateColumn(verbose_name="Live on", format="j M Y")
    deployed_at = tables.DateTimeColumn(verbose_name="Went live", format="j M Y H:i")

    class Meta(BaseTable.Meta):
        model = m.Release
        fields = ("reference", "title", "release_type", "status", "owner",
                  "planned_test_date", "planned_live_date", "test_result", "deployed_at")
        empty_text = "No releases match."


class ReleaseItemTable(BaseTable):
    software = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.ReleaseItem
        fields = ("software", "release", "from_version", "to_version", "licence")
        empty_text = "No software recorded in releases."
