"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.core.filters import WordSearchFilterSet
from borough.status import models as m


class AnnouncementFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description")
    state = filters.MultipleChoiceFilter(choices=m.State.choices)
    kind = filters.MultipleChoiceFilter(choices=m.Kind.choices)
    service = filters.ModelChoiceFilter(field_name="services", label="Business service",
                                        queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    current = filters.BooleanFilter(method="filter_current", label="Happening now")
    starts_after = filters.DateFilter(field_name="starts_at", lookup_expr="date__gte",
                                      label="Starts on or after")
    starts_before = filters.DateFilter(field_name="starts_at", lookup_expr="date__lte",
                                       label="Starts on or before")

    class Meta:
        model = m.Announcement
        fields = []

    def filter_current(self, queryset, name, value):
        """Open and started (yes), or not (no)."""
        if value is None:
            return queryset
        now = Q(state=m.State.OPEN, starts_at__lte=timezone.now())
        return queryset.filter(now) if value else queryset.exclude(now)


class SubscriptionFilterSet(WordSearchFilterSet):
    search_fields = ("service__name", "user__first_name", "user__last_name",
                     "user__username")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    mine = filters.BooleanFilter(method="filter_mine", label="My subscriptions")

    class Meta:
        model = m.Subscription
        fields = []

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        mine = Q(user=user) if user is not None and user.is_authenticated else Q(pk__in=[])
        return queryset.filter(mine) if value else queryset.exclude(mine)
