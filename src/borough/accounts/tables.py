import django_tables2 as tables

from borough.accounts.models import Membership
from borough.core.tables import BaseTable


class MembershipTable(BaseTable):
    user = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Membership
        fields = ("user", "role", "is_default", "is_active")
