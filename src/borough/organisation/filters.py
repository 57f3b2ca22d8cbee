import django_filters as filters
from django.db.models import QuerySet

from borough.organisation import models as m


class ScopedFilterSet(filters.FilterSet):
    """Related-record choices (service unit, site, team...) come from what the user may
    see, like the rows: another organisation's names are never offered, and their ids get
    the same "not one of the available choices" as a nonexistent one (SECURITY.md 2, 3)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            queryset = getattr(filter_, "queryset", None)
            if not isinstance(queryset, QuerySet):
                continue
            manager = queryset.model._default_manager
            if hasattr(manager, "visible_to"):
                filter_.queryset = manager.visible_to(user).filter(pk__in=queryset.values("pk"))


class WordSearchFilterSet(ScopedFilterSet):
    """`q`: the words typed, found in any of `search_fields`; its label `search_label`."""

    q = filters.CharFilter(method="search", label="Search")

    search_fields: tuple[str, ...] = ()
    search_label = "Search"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].label = self.search_label

    def search(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


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
