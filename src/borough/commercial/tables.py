import django_tables2 as tables
from django.db.models import QuerySet

from borough.commercial import models as m
from borough.core.tables import BaseTable, MoneyColumn


class SupplierCategoryTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.SupplierCategory
        fields = ("name", "description")
        empty_text = "No supplier categories match."


class SupplierTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Supplier
        fields = ("name", "reference", "status", "criticality", "risk", "manager",
                  "company_number")
        empty_text = "No suppliers match."


class SupplierContactTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.SupplierContact
        fields = ("name", "supplier", "role", "email", "phone", "is_primary")
        empty_text = "No supplier contacts match."


class ContractTable(BaseTable):
    title = tables.Column(linkify=True)
    annual_value = MoneyColumn(verbose_name="Annual value")

    class Meta(BaseTable.Meta):
        model = m.Contract
        fields = ("title", "reference", "supplier", "kind", "annual_value", "start_date",
                  "end_date", "renewal_terms", "owner")
        empty_text = "No contracts match."


class ContractCoverTable(BaseTable):
    contract = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.ContractCover
        fields = ("contract", "configuration_item", "service", "note")
        empty_text = "No contract covers match."


class CommercialSettingsTable(BaseTable):
    alert_days = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CommercialSettings
        fields = ("alert_days",)
        empty_text = "No commercial settings yet: alerts go 180, 90 and 30 days before."


class ReviewCriterionTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.ReviewCriterion
        fields = ("name", "description", "position", "is_active")
        empty_text = "No review criteria match."


class SupplierReviewTable(BaseTable):
    held_on = tables.DateColumn(linkify=True, format="j M Y")

    class Meta(BaseTable.Meta):
        model = m.SupplierReview
        fields = ("held_on", "supplier", "reviewer", "actions")
        empty_text = "No supplier reviews match."


class SupplierReviewScoreTable(BaseTable):
    criterion = tables.Column(linkify=lambda record: record.get_absolute_url())

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet):  # a review reads as its supplier's
            data = data.select_related("review__supplier")
        super().__init__(data, *args, **kwargs)

    class Meta(BaseTable.Meta):
        model = m.SupplierReviewScore
        fields = ("criterion", "review", "score", "comment")
        empty_text = "No review scores match."


class UncontractedSystemTable(BaseTable):
    configuration_item = tables.Column(linkify=lambda record: record.get_absolute_url(),
                                       verbose_name="System")

    class Meta(BaseTable.Meta):
        model = m.UncontractedSystem
        fields = ("configuration_item", "reason", "review_by")
        empty_text = "No reasons for systems without a contract are recorded."
