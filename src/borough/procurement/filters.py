"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters
from django.db.models import Exists, OuterRef, Q

from borough.accounts.models import Membership
from borough.commercial.models import Contract, Supplier
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person, ServiceUnit
from borough.procurement import models as m
from borough.standards.models import CorporateObjective


class ApprovalStepFilterSet(WordSearchFilterSet):
    search_fields = ("name", "approver_role")

    class Meta:
        model = m.ApprovalStep
        fields = []


class ProcurementRequestFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description", "cost_centre")
    status = filters.MultipleChoiceFilter(choices=m.Status.choices)
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             empty_label="Any service unit")
    requester = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    objective = filters.ModelChoiceFilter(field_name="objectives",
                                          queryset=CorporateObjective.objects.all(),
                                          label="Corporate objective",
                                          empty_label="Any objective")
    funding_source = filters.ChoiceFilter(choices=m.FundingSource.choices,
                                          empty_label="Any source")
    financial_year = filters.CharFilter(label="Financial year (like 2026/27)")
    value_from = filters.NumberFilter(field_name="value", lookup_expr="gte",
                                      label="Value from (£)")
    value_to = filters.NumberFilter(field_name="value", lookup_expr="lte",
                                    label="Value up to (£)")
    waiting_for_me = filters.BooleanFilter(method="filter_waiting_for_me",
                                           label="Waiting for my decision")

    class Meta:
        model = m.ProcurementRequest
        fields = []

    def filter_waiting_for_me(self, queryset, name, value):
        """Requests whose current step the signed-in person may decide (by role, named or
        as a deputy, and not handed to a deputy of theirs), other than their own."""
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none() if value else queryset
        roles = Membership.objects.filter(user=user, is_active=True,
                                          organisation_id=OuterRef("organisation_id"),
                                          role__name=OuterRef("current_step__approver_role"))
        delegations = m.Delegation.objects.filter(step=OuterRef("current_step"))
        mine = Q(status__in=m.WAITING) & ~Q(requester__user=user) & (
            Exists(roles) | Q(current_step__approvers__user=user)
            | Exists(delegations.filter(deputy__user=user))) & ~Exists(
            delegations.filter(delegated_by=user))
        chosen = queryset.filter(mine).distinct() if value else queryset.exclude(mine)
        return chosen


class ProcurementOptionFilterSet(WordSearchFilterSet):
    search_fields = ("description", "benefits", "risks", "request__reference")
    request = filters.ModelChoiceFilter(queryset=m.ProcurementRequest.objects.all(),
                                        label="Procurement request", empty_label="Any request")
    provider = filters.ChoiceFilter(choices=m.Provider.choices, empty_label="Any provider")
    supplier = filters.ModelChoiceFilter(queryset=Supplier.objects.all(),
                                         empty_label="Any supplier")
    is_recommended = filters.BooleanFilter(label="Recommended")

    class Meta:
        model = m.ProcurementOption
        fields = []


class ProcurementExceptionFilterSet(WordSearchFilterSet):
    search_fields = ("reason", "contract__reference", "contract__title")
    contract = filters.ModelChoiceFilter(queryset=Contract.objects.all(),
                                         empty_label="Any contract")
    agreed_after = filters.DateFilter(field_name="agreed_on", lookup_expr="gte",
                                      label="Agreed on or after")
    agreed_before = filters.DateFilter(field_name="agreed_on", lookup_expr="lte",
                                       label="Agreed on or before")

    class Meta:
        model = m.ProcurementException
        fields = []
