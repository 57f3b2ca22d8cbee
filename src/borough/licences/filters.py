"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import Contract, Supplier
from borough.core.filters import WordSearchFilterSet
from borough.licences import models as m
from borough.organisation.models import Person


class LicenceFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "name", "software__name", "supplier__name")
    software = filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(),
                                         empty_label="Any software")
    supplier = filters.ModelChoiceFilter(queryset=Supplier.objects.all(),
                                         empty_label="Any supplier")
    contract = filters.ModelChoiceFilter(queryset=Contract.objects.all(),
                                         empty_label="Any contract")
    licence_model = filters.ChoiceFilter(choices=m.LicenceModel.choices,
                                         empty_label="Any licence model")
    counted_from = filters.ChoiceFilter(choices=m.CountedFrom.choices,
                                        label="Use counted from", empty_label="Any way")

    class Meta:
        model = m.Licence
        fields = []


class EntitlementFilterSet(WordSearchFilterSet):
    search_fields = ("licence__name", "licence__reference", "order_reference", "note")
    licence = filters.ModelChoiceFilter(queryset=m.Licence.objects.all(),
                                        empty_label="Any licence")
    contract = filters.ModelChoiceFilter(queryset=Contract.objects.all(),
                                         empty_label="Any contract")
    ends_after = filters.DateFilter(field_name="term_end", lookup_expr="gte",
                                    label="Term ends on or after")
    ends_before = filters.DateFilter(field_name="term_end", lookup_expr="lte",
                                     label="Term ends on or before")

    class Meta:
        model = m.Entitlement
        fields = []


class ConsumptionCountFilterSet(WordSearchFilterSet):
    search_fields = ("licence__name", "licence__reference", "how")
    licence = filters.ModelChoiceFilter(queryset=m.Licence.objects.all(),
                                        empty_label="Any licence")
    counted_by = filters.ModelChoiceFilter(queryset=Person.objects.all(),
                                           empty_label="Anyone")
    counted_after = filters.DateFilter(field_name="counted_on", lookup_expr="gte",
                                       label="Counted on or after")

    class Meta:
        model = m.ConsumptionCount
        fields = []
