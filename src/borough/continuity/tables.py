import django_tables2 as tables
from django.db.models import QuerySet

from borough.continuity import models as m
from borough.core.tables import BaseTable


class JoinedTable(BaseTable):
    """A table whose related records' names read further records (an impact's analysis is
    named by its service): `joined` names them, read in the same query."""

    joined: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet) and self.joined:
            data = data.select_related(*self.joined)
        super().__init__(data, *args, **kwargs)


class BusinessImpactAnalysisTable(BaseTable):
    reference = tables.Column(linkify=True)
    assessed_on = tables.DateColumn(format="j M Y")
    review_due = tables.DateColumn(format="j M Y")

    class Meta(BaseTable.Meta):
        model = m.BusinessImpactAnalysis
        fields = ("reference", "service", "status", "assessed_on", "proposed_rto_hours",
                  "proposed_rpo_hours", "proposed_mto_hours", "review_due")
        empty_text = "No business impact analyses match."


class ImpactRowTable(JoinedTable):
    joined = ("analysis__service",)
    after_hours = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.ImpactRow
        fields = ("after_hours", "analysis", "financial", "reputational", "legal",
                  "public_service")
        empty_text = "No impacts recorded."


class ContinuityPlanTable(BaseTable):
    reference = tables.Column(linkify=True)
    review_due = tables.DateColumn(format="j M Y")

    class Meta(BaseTable.Meta):
        model = m.ContinuityPlan
        fields = ("reference", "title", "kind", "status", "site", "owner", "revision",
                  "review_due")
        empty_text = "No continuity plans match."


class PlanContactTable(BaseTable):
    role = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.PlanContact
        fields = ("role", "plan", "person", "name", "employer", "phone")
        empty_text = "No contacts recorded."


class PlanStepTable(BaseTable):
    number = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.PlanStep
        fields = ("number", "plan", "done_by", "expected_minutes")
        empty_text = "No steps recorded."


class RecoveryItemTable(BaseTable):
    configuration_item = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.RecoveryItem
        fields = ("configuration_item", "plan", "position", "note")
        empty_text = "No items to recover recorded."


class ContinuityTestTable(BaseTable):
    reference = tables.Column(linkify=True)
    tested_on = tables.DateColumn(format="j M Y")

    class Meta(BaseTable.Meta):
        model = m.ContinuityTest
        fields = ("reference", "plan", "kind", "tested_on", "result",
                  "achieved_recovery_hours", "achieved_data_loss_hours")
        empty_text = "No DR tests match."


class FollowUpTable(JoinedTable):
    joined = ("test__plan",)
    description = tables.Column(linkify=True)
    due_on = tables.DateColumn(format="j M Y")

    class Meta(BaseTable.Meta):
        model = m.FollowUp
        fields = ("description", "test", "owner", "due_on", "done")
        empty_text = "No follow-up actions match."
