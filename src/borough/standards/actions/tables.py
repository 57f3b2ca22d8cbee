from __future__ import annotations

import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.standards import models as m
from borough.standards.actions import queries


class ActionTable(BaseTable):
    reference = tables.Column(linkify=True)
    title = tables.Column()
    theme = tables.Column()
    owner = tables.Column()
    due_on = tables.DateColumn(format="j M Y", verbose_name="Due")
    status = tables.Column()
    rag = tables.Column(verbose_name="RAG")

    class Meta(BaseTable.Meta):
        model = m.Action
        fields = ("reference", "title", "theme", "owner", "due_on", "status", "rag")
        empty_text = "No actions match."


class CorporateObjectiveTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CorporateObjective
        fields = ("code", "title", "plan", "is_active")


class TargetTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Target
        fields = ("code", "title", "scope", "is_active")


class ReportReviewTable(BaseTable):
    reviewed_on = tables.DateColumn(format="j M Y", linkify=True, verbose_name="Reviewed on")
    report = tables.Column()
    meeting = tables.Column()

    class Meta(BaseTable.Meta):
        model = m.ReportReview
        fields = ("reviewed_on", "report", "meeting")

    def render_report(self, value):
        return queries.report_label(value)

    def value_report(self, value):
        return queries.report_label(value)
