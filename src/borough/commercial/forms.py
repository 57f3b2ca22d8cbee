from django import forms

from borough.commercial import models as m
from borough.core.forms import ScopedModelForm


class SupplierCategoryForm(ScopedModelForm):
    class Meta:
        model = m.SupplierCategory
        fields = ["name", "description"]


class SupplierForm(ScopedModelForm):
    website = forms.URLField(required=False, assume_scheme="https",
                             help_text="For example https://www.supplier.co.uk")

    class Meta:
        model = m.Supplier
        fields = ["name", "company_number", "website", "address", "categories", "status",
                  "criticality", "risk", "manager", "review_every_months", "notes"]


class SupplierContactForm(ScopedModelForm):
    class Meta:
        model = m.SupplierContact
        fields = ["supplier", "name", "role", "email", "phone", "is_primary"]


class ContractForm(ScopedModelForm):
    class Meta:
        model = m.Contract
        fields = ["title", "supplier", "kind", "description", "owner", "annual_value",
                  "whole_life_value", "start_date", "end_date", "renewal_terms",
                  "renewal_months", "notice_period", "notice_unit", "notice_given_on",
                  "procurement_route", "procurement_reference", "support_hours",
                  "response_times"]


class ContractCoverForm(ScopedModelForm):
    class Meta:
        model = m.ContractCover
        fields = ["contract", "configuration_item", "service", "note"]
