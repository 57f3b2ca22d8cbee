"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import Contract, Supplier
from borough.core.filters import ScopedFilterSet, WordSearchFilterSet
from borough.finance import models as m
from borough.finance import years
from borough.organisation.models import ServiceUnit, Team


class YearFilter(filters.ChoiceFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Financial year")
        super().__init__(choices=years.choices, empty_label="Any year", **kwargs)


class CostCentreFilterSet(WordSearchFilterSet):
    search_fields = ("code", "name")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             empty_label="Any service unit")
    is_active = filters.BooleanFilter(label="In use")

    class Meta:
        model = m.CostCentre
        fields = []


class BudgetFilterSet(WordSearchFilterSet):
    search_fields = ("cost_centre__code", "cost_centre__name", "note")
    year = YearFilter()
    cost_centre = filters.ModelChoiceFilter(queryset=m.CostCentre.objects.all(),
                                            empty_label="Any cost centre")

    class Meta:
        model = m.Budget
        fields = []


class Allocation(filters.ChoiceFilter):
    CHOICES = [("unallocated", "Not allocated"), ("item", "To a system or item"),
               ("service", "To a business service"), ("contract", "To a contract")]

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, empty_label="Anything", label="Allocated",
                         method=self.allocated, **kwargs)

    @staticmethod
    def allocated(queryset, name, value):
        if value == "unallocated":
            return queryset.filter(configuration_item__isnull=True, service__isnull=True,
                                   contract__isnull=True)
        field = {"item": "configuration_item", "service": "service",
                 "contract": "contract"}.get(value)
        return queryset.filter(**{f"{field}__isnull": False}) if field else queryset


class CostLineFilterSet(WordSearchFilterSet):
    search_fields = ("description", "transaction_reference", "supplier__name")
    year = YearFilter()
    cost_centre = filters.ModelChoiceFilter(queryset=m.CostCentre.objects.all(),
                                            empty_label="Any cost centre")
    supplier = filters.ModelChoiceFilter(queryset=Supplier.objects.all(),
                                         empty_label="Any supplier")
    allocated = Allocation()
    configuration_item = filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(),
                                                   label="System or item",
                                                   empty_label="Any item")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        label="Business service", empty_label="Any service")
    contract = filters.ModelChoiceFilter(queryset=Contract.objects.all(),
                                         empty_label="Any contract")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")

    class Meta:
        model = m.CostLine
        fields = []


class CommitmentFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "description", "source_reference")
    year = YearFilter()
    cost_centre = filters.ModelChoiceFilter(queryset=m.CostCentre.objects.all(),
                                            empty_label="Any cost centre")
    status = filters.ChoiceFilter(choices=m.CommitmentStatus.choices,
                                  empty_label="Any status")

    class Meta:
        model = m.Commitment
        fields = []


class CostPoolFilterSet(WordSearchFilterSet):
    search_fields = ("name", "description")
    year = YearFilter()
    basis = filters.ChoiceFilter(choices=m.Basis.choices, empty_label="Any basis",
                                 label="Allocated by")

    class Meta:
        model = m.CostPool
        fields = []


class PoolShareFilterSet(WordSearchFilterSet):
    search_fields = ("pool__name", "service_unit__name")
    pool = filters.ModelChoiceFilter(queryset=m.CostPool.objects.all(),
                                     empty_label="Any pool")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             empty_label="Any service unit")

    class Meta:
        model = m.PoolShare
        fields = []


class RechargeRunFilterSet(WordSearchFilterSet):
    search_fields = ("reference",)
    year = YearFilter()

    class Meta:
        model = m.RechargeRun
        fields = []


class RechargeLineFilterSet(WordSearchFilterSet):
    search_fields = ("pool_name", "service_unit__name")
    run = filters.ModelChoiceFilter(queryset=m.RechargeRun.objects.all(),
                                    empty_label="Any run")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             empty_label="Any service unit")

    class Meta:
        model = m.RechargeLine
        fields = []


class FinanceSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = m.FinanceSettings
        fields = []


class TeamStaffRateFilterSet(ScopedFilterSet):
    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")
    year = YearFilter()

    class Meta:
        model = m.TeamStaffRate
        fields = []
