import django_tables2 as tables

from borough.core.saved_views import Column
from borough.core.tables import BaseTable
from borough.servicedesk import models as m


class TicketTable(BaseTable):
    reference = tables.Column(linkify=True, verbose_name="Reference")
    title = tables.Column()
    priority = tables.Column()
    status = tables.Column()
    requester = tables.Column(orderable=False)
    team = tables.Column()
    assignee = tables.Column()
    resolution_due_at = tables.DateTimeColumn(format="j M H:i", verbose_name="Due")

    class Meta(BaseTable.Meta):
        model = m.Ticket
        fields = ("reference", "title", "priority", "status", "requester", "team", "assignee",
                  "resolution_due_at")
        empty_text = "No tickets match."


# The agent queue draws its own table (servicedesk/includes/queue_table.html): its
# columns, for each person's choice and saved views. Sort keys are TicketTable's.
QUEUE_COLUMNS = [
    Column("reference", "Reference", required=True, sort="reference"),
    Column("title", "Summary", required=True, sort="title"),
    Column("requester", "Requester"),
    Column("priority", "Priority", sort="priority"),
    Column("status", "Status", sort="status"),
    Column("assignee", "Assigned to", sort="assignee"),
    Column("team", "Team", default=False, sort="team"),
    Column("service_unit", "Service unit", default=False),
    Column("category", "Category", default=False),
    Column("site", "Site", default=False),
    Column("service", "Business service", default=False),
    Column("ci", "Configuration item", default=False),
    Column("ticket_type", "Type", default=False),
    Column("created_at", "Opened", default=False),
    Column("updated_at", "Last changed", default=False),
    Column("resolution_due_at", "SLA due", required=True, sort="resolution_due_at"),
]


class CategoryTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Category
        fields = ("name", "parent", "ticket_type", "is_active")


class PriorityRuleTable(BaseTable):
    impact = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.PriorityRule
        fields = ("impact", "urgency", "priority")


class SLAPolicyTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.SLAPolicy
        fields = ("name", "priority", "ticket_type", "business_service", "response_minutes",
                  "resolution_minutes", "business_hours", "compliance_target", "is_active")


class CannedResponseTable(BaseTable):
    title = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CannedResponse
        fields = ("title", "is_active")


class DeskSettingsTable(BaseTable):
    reopen_days = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.DeskSettings
        fields = ("reopen_days", "auto_close_days", "warning_percent")
