import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.organisation import models as m


class ServiceUnitTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.ServiceUnit
        fields = ("name", "code", "head", "is_active")


class SiteTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Site
        fields = ("name", "town", "postcode", "is_active")


class PersonTable(BaseTable):
    full_name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Person
        fields = ("full_name", "email", "job_title", "service_unit", "site", "is_active")


class TeamTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.Team
        fields = ("name", "email", "is_active")


class TeamMembershipTable(BaseTable):
    person = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(BaseTable.Meta):
        model = m.TeamMembership
        fields = ("team", "person", "is_lead")


class WorkingPeriodTable(BaseTable):
    weekday = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.WorkingPeriod
        fields = ("weekday", "start", "end")


class ClosureDayTable(BaseTable):
    date = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.ClosureDay
        fields = ("date", "name")
