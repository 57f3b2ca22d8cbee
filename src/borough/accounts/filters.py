import django_filters as filters
from django.contrib.auth.models import Group

from borough.accounts.models import Membership


class MembershipFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Search")
    role = filters.ModelChoiceFilter(queryset=Group.objects.order_by("name"))

    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(user__username__icontains=value) | Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value) | Q(user__email__icontains=value)
        )
