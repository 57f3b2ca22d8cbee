import django_tables2 as tables

from borough.cmdb import models as m
from borough.core.tables import BaseTable


class CIClassTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CIClass
        fields = ("name", "code", "is_active")


class ConfigurationItemTable(BaseTable):
    reference = tables.Column(linkify=True, verbose_name="Reference")

    class Meta(BaseTable.Meta):
        model = m.ConfigurationItem
        fields = ("reference", "name", "ci_class", "status", "criticality", "support_team",
                  "site")
        empty_text = "No configuration items match."


class RelationshipTable(BaseTable):
    relationship_type = tables.Column(linkify=True, verbose_name="Type")

    class Meta(BaseTable.Meta):
        model = m.Relationship
        fields = ("source", "relationship_type", "target", "redundancy_group")
        sequence = ("source", "relationship_type", "target", "redundancy_group")


class BaselineTable(BaseTable):
    name = tables.Column(linkify=True)
    taken_at = tables.DateTimeColumn(format="j F Y, H:i", verbose_name="Taken")

    class Meta(BaseTable.Meta):
        model = m.Baseline
        fields = ("name", "taken_at", "taken_by", "scope", "item_count", "relationship_count")
        empty_text = "No baselines have been taken."
