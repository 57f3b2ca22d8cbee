import django_tables2 as tables

from borough.core.tables import BaseTable, MoneyColumn
from borough.procurement import models as m


class ApprovalStepTable(BaseTable):
    name = tables.Column(linkify=True)
    up_to = MoneyColumn(verbose_name="Up to", default="No limit")

    class Meta(BaseTable.Meta):
        model = m.ApprovalStep
        fields = ("name", "up_to", "approver_role", "approvals_needed")
        empty_text = "No approval steps yet: add one for each level of value."


class ProcurementRequestTable(BaseTable):
    reference = tables.Column(linkify=True)
    value = MoneyColumn(verbose_name="Value")
    current_step = tables.Column(verbose_name="Waiting for")

    class Meta(BaseTable.Meta):
        model = m.ProcurementRequest
        fields = ("reference", "title", "status", "value", "current_step", "service_unit",
                  "requester", "financial_year")
        empty_text = "No procurement requests match."


class ProcurementOptionTable(BaseTable):
    description = tables.Column(linkify=True)
    whole_life_cost = MoneyColumn(verbose_name="Whole-life cost")

    class Meta(BaseTable.Meta):
        model = m.ProcurementOption
        fields = ("description", "request", "provider", "supplier", "whole_life_cost",
                  "is_recommended")
        empty_text = "No options match."


class ProcurementExceptionTable(BaseTable):
    contract = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.ProcurementException
        fields = ("contract", "reason", "agreed_by", "agreed_on")
        empty_text = "No exceptions recorded."
