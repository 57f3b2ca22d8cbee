"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem, Criticality
from borough.commercial import models as m
from borough.core.filters import ScopedFilterSet, WordSearchFilterSet
from borough.organisation.models import Person


class SupplierCategoryFilterSet(WordSearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = m.SupplierCategory
        fields = []


class SupplierFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "name", "company_number")
    status = filters.ChoiceFilter(choices=m.SupplierStatus.choices, empty_label="Any status")
    categories = filters.ModelChoiceFilter(queryset=m.SupplierCategory.objects.all(),
                                           label="Category", empty_label="Any category")
    criticality = filters.ChoiceFilter(choices=Criticality.choices,
                                       empty_label="Any criticality")
    risk = filters.ChoiceFilter(choices=m.Risk.choices, empty_label="Any risk")
    manager = filters.ModelChoiceFilter(queryset=Person.objects.all(),
                                        label="Supplier manager", empty_label="Anyone")

    class Meta:
        model = m.Supplier
        fields = []


class SupplierContactFilterSet(WordSearchFilterSet):
    search_fields = ("name", "email", "role", "supplier__name")
    supplier = filters.ModelChoiceFilter(queryset=m.Supplier.objects.all(),
                                         empty_label="Any supplier")

    class Meta:
        model = m.SupplierContact
        fields = []


class ContractFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "supplier__name", "procurement_reference")
    supplier = filters.ModelChoiceFilter(queryset=m.Supplier.objects.all(),
                                         empty_label="Any supplier")
    kind = filters.ChoiceFilter(choices=m.ContractKind.choices, empty_label="Any kind")
    renewal_terms = filters.ChoiceFilter(choices=m.RenewalTerms.choices,
                                         empty_label="Any terms")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), label="Contract owner",
                                      empty_label="Anyone")
    ends_after = filters.DateFilter(field_name="end_date", lookup_expr="gte",
                                    label="Ends on or after")
    ends_before = filters.DateFilter(field_name="end_date", lookup_expr="lte",
                                     label="Ends on or before")
    configuration_item = filters.ModelChoiceFilter(
        queryset=ConfigurationItem.objects.all(), field_name="covers__configuration_item",
        label="Covers the item", empty_label="Any item", distinct=True)
    service = filters.ModelChoiceFilter(
        queryset=BusinessService.objects.all(), field_name="covers__service",
        label="Covers the service", empty_label="Any service", distinct=True)

    class Meta:
        model = m.Contract
        fields = []


class ContractCoverFilterSet(WordSearchFilterSet):
    search_fields = ("contract__title", "configuration_item__name", "service__name", "note")
    contract = filters.ModelChoiceFilter(queryset=m.Contract.objects.all(),
                                         empty_label="Any contract")
    configuration_item = filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(),
                                                   empty_label="Any item")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        label="Business service", empty_label="Any service")

    class Meta:
        model = m.ContractCover
        fields = []


class CommercialSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = m.CommercialSettings
        fields = []


class ReviewCriterionFilterSet(WordSearchFilterSet):
    search_fields = ("name", "description")
    is_active = filters.BooleanFilter(label="Asked at reviews")

    class Meta:
        model = m.ReviewCriterion
        fields = []


class SupplierReviewFilterSet(WordSearchFilterSet):
    search_fields = ("supplier__name", "actions", "summary")
    supplier = filters.ModelChoiceFilter(queryset=m.Supplier.objects.all(),
                                         empty_label="Any supplier")
    reviewer = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte",
                                    label="Held on or after")
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte",
                                     label="Held on or before")

    class Meta:
        model = m.SupplierReview
        fields = []


class SupplierReviewScoreFilterSet(WordSearchFilterSet):
    search_fields = ("criterion__name", "comment")
    review = filters.ModelChoiceFilter(queryset=m.SupplierReview.objects.all(),
                                       empty_label="Any review")
    criterion = filters.ModelChoiceFilter(queryset=m.ReviewCriterion.objects.all(),
                                          empty_label="Any criterion")
    score = filters.ChoiceFilter(choices=m.Score.choices, empty_label="Any score")

    class Meta:
        model = m.SupplierReviewScore
        fields = []


class UncontractedSystemFilterSet(WordSearchFilterSet):
    search_fields = ("configuration_item__name", "explanation")
    reason = filters.ChoiceFilter(choices=m.NoContractReason.choices, empty_label="Any reason")
    configuration_item = filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(),
                                                   label="System", empty_label="Any item")

    class Meta:
        model = m.UncontractedSystem
        fields = []


class RenewalsFilterSet(ScopedFilterSet):
    """The renewals page's and its API's choices: the contracts of a supplier, of an
    owner, of a kind."""

    supplier = filters.ModelChoiceFilter(queryset=m.Supplier.objects.all(),
                                         empty_label="Any supplier")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), label="Contract owner",
                                      empty_label="Anyone")
    kind = filters.ChoiceFilter(choices=m.ContractKind.choices, empty_label="Any kind")

    class Meta:
        model = m.Contract
        fields = []
