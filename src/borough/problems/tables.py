import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.problems import models as m


class CauseCategoryTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CauseCategory
        fields = ("name", "description", "is_active")
        empty_text = "No cause categories yet."


class TrendRuleTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.TrendRule
        fields = ("name", "group_by", "window_days", "min_incidents", "is_active")
        empty_text = "No trend rules yet: add one to have repeated incidents propose problems."


class ProblemTable(BaseTable):
    reference = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Problem
        fields = ("reference", "title", "status", "priority", "owner", "service",
                  "cause_category", "created_at")
        empty_text = "No problems match."


class AnalysisStepTable(BaseTable):
    position = tables.Column(linkify=True, verbose_name="Step")

    class Meta(BaseTable.Meta):
        model = m.AnalysisStep
        fields = ("position", "problem", "happened_at", "text")
        empty_text = "No analysis steps match."


class ProblemIncidentTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Link")

    class Meta(BaseTable.Meta):
        model = m.ProblemIncident
        fields = ("id", "problem", "ticket", "created_at")
        empty_text = "No linked incidents match."


class KnownErrorTable(BaseTable):
    reference = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.KnownError
        fields = ("reference", "title", "problem", "service", "ci", "fixed_count", "is_active")
        empty_text = "No known errors match."


class KnownErrorUseTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Use")

    class Meta(BaseTable.Meta):
        model = m.KnownErrorUse
        fields = ("id", "known_error", "ticket", "fixed", "used_by", "created_at")
        empty_text = "No known error has been used yet."
