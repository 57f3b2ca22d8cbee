import django_tables2 as tables

from borough.changes import models as m
from borough.core.tables import BaseTable


class ChangeTable(BaseTable):
    reference = tables.Column(linkify=True)
    planned_start = tables.DateTimeColumn(verbose_name="Window starts", format="j M Y H:i")
    planned_end = tables.DateTimeColumn(verbose_name="Window ends", format="j M Y H:i")

    class Meta(BaseTable.Meta):
        model = m.Change
        fields = ("reference", "title", "change_type", "status", "risk_level",
                  "planned_start", "planned_end", "owner", "outcome")
        empty_text = "No changes match."


class RiskQuestionTable(BaseTable):
    question = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.RiskQuestion
        fields = ("question", "raises_to", "position", "is_active")
        empty_text = "No risk questions yet: add the questions your council asks of a change."


class ChangeTemplateTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.ChangeTemplate
        fields = ("name", "risk_level", "usual_minutes", "approved_by", "approved_on",
                  "is_active")
        empty_text = "No standard change templates yet."


class BoardTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Board
        fields = ("name", "kind", "chair", "chair_deputy", "quorum")
        empty_text = "No boards yet: set up the change advisory board and the emergency one."


class BoardMemberTable(BaseTable):
    member = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.BoardMember
        fields = ("member", "board", "deputy", "represents", "is_active")
        empty_text = "No board members yet."


class MeetingTable(BaseTable):
    starts_at = tables.DateTimeColumn(linkify=True, verbose_name="When", format="j M Y H:i")

    class Meta(BaseTable.Meta):
        model = m.Meeting
        fields = ("starts_at", "board", "location", "status")
        empty_text = "No meetings yet."


class CausedIncidentTable(BaseTable):
    ticket = tables.Column(linkify=lambda record: record.get_absolute_url(),
                           verbose_name="Incident")

    class Meta(BaseTable.Meta):
        model = m.CausedIncident
        fields = ("ticket", "change", "note")
        empty_text = "No incidents are linked to changes."


class ScheduleWindowTable(BaseTable):
    name = tables.Column(linkify=True)
    starts_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Starts")
    ends_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Ends")

    class Meta(BaseTable.Meta):
        model = m.ScheduleWindow
        fields = ("name", "kind", "starts_at", "ends_at")
        empty_text = "No blackout or freeze windows."


class MaintenanceWindowTable(BaseTable):
    service = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.MaintenanceWindow
        fields = ("service", "weekday", "starts", "ends")
        empty_text = "No maintenance windows: services may be changed at any time."
