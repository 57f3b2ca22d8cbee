import django_filters as filters
from django.contrib.auth.models import Group

from borough.accounts.models import Membership
from borough.core.filters import WordSearchFilterSet


class MembershipFilterSet(WordSearchFilterSet):
    role = filters.ModelChoiceFilter(queryset=Group.objects.order_by("name"))
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")

    class Meta:
        model = Membership
        fields = ["role", "is_active"]
