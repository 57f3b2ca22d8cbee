import django_filters as filters

from borough.core.filters import ScopedFilterSet, WordSearchFilterSet
from borough.organisation import models as m


class ActiveFilterSet(WordSearchFilterSet):
    search_fields = ("name",)


class ServiceUnitFilterSet(ActiveFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = m.ServiceUnit
        fields = ["is_active"]


class SiteFilterSet(ActiveFilterSet):
    search_fields = ("name", "town", "postcode")

    class Meta:
        model = m.Site
        fields = ["is_active", "town"]


class PersonFilterSet(ActiveFilterSet):
    search_fields = ("full_name", "email", "job_title")

    class Meta:
        model = m.Person
        fields = ["service_unit", "site", "is_active"]


class TeamFilterSet(ActiveFilterSet):
    class Meta:
        model = m.Team
        fields = ["is_active"]


class TeamMembershipFilterSet(ActiveFilterSet):
    search_fields = ("person__full_name", "team__name")

    class Meta:
        model = m.TeamMembership
        fields = ["team", "is_lead"]


class WorkingPeriodFilterSet(ScopedFilterSet):
    class Meta:
        model = m.WorkingPeriod
        fields = ["weekday"]


class ClosureDayFilterSet(ScopedFilterSet):
    after = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after")
    before = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before")

    class Meta:
        model = m.ClosureDay
        fields = []
