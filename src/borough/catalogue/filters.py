"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue import models as m
from borough.cmdb.models import ConfigurationItem, Criticality
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person, ServiceUnit, Team


class BusinessServiceFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "name")
    status = filters.ChoiceFilter(choices=m.ServiceStatus.choices, empty_label="Any status")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             label="Owning service unit",
                                             empty_label="Any service unit")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), label="Service owner",
                                      empty_label="Anyone")
    criticality = filters.ChoiceFilter(choices=Criticality.choices,
                                       empty_label="Any criticality")
    support_team = filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")

    class Meta:
        model = m.BusinessService
        fields = []


class ServiceComponentFilterSet(WordSearchFilterSet):
    search_fields = ("service__name", "configuration_item__name", "redundancy_group", "role")
    service = filters.ModelChoiceFilter(queryset=m.BusinessService.objects.all(),
                                        empty_label="Any service")
    configuration_item = filters.ModelChoiceFilter(queryset=ConfigurationItem.objects.all(),
                                                   empty_label="Any item")

    class Meta:
        model = m.ServiceComponent
        fields = []


class ServiceLevelAgreementFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "service__name")
    status = filters.ChoiceFilter(choices=m.AgreementStatus.choices, empty_label="Any status")
    service = filters.ModelChoiceFilter(queryset=m.BusinessService.objects.all(),
                                        empty_label="Any service")
    customer_service_unit = filters.ModelChoiceFilter(
        queryset=ServiceUnit.objects.all(), label="Customer service unit",
        empty_label="Any service unit")
    review_before = filters.DateFilter(field_name="review_date", lookup_expr="lt",
                                       label="Review due before")

    class Meta:
        model = m.ServiceLevelAgreement
        fields = []


class OperationalLevelAgreementFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "service__name", "provides")
    status = filters.ChoiceFilter(choices=m.AgreementStatus.choices, empty_label="Any status")
    service = filters.ModelChoiceFilter(queryset=m.BusinessService.objects.all(),
                                        empty_label="Any service")
    provider_team = filters.ModelChoiceFilter(queryset=Team.objects.all(),
                                              label="Providing team", empty_label="Any team")
    receiving_team = filters.ModelChoiceFilter(queryset=Team.objects.all(),
                                               empty_label="Any team")

    class Meta:
        model = m.OperationalLevelAgreement
        fields = []
