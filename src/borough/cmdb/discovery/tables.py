import django_tables2 as tables

from borough.cmdb.models import DirectorySource, DiscoveryRun
from borough.core.tables import BaseTable


class DirectorySourceTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = DirectorySource
        fields = ("name", "base_dn", "server_class", "device_class", "run_every_hours",
                  "is_enabled")


class DiscoveryRunTable(BaseTable):
    requested = tables.DateTimeColumn(accessor="created_at", linkify=True,
                                      verbose_name="Requested", format="j M Y, H:i")

    class Meta(BaseTable.Meta):
        model = DiscoveryRun
        fields = ("requested", "source", "trigger", "outcome", "seen", "created", "changed",
                  "vanished", "returned", "skipped")
        sequence = fields
        empty_text = "No discovery runs match."
