from borough.core.forms import ScopedModelForm, TimeInput
from borough.organisation import models as m


class ServiceUnitForm(ScopedModelForm):
    class Meta:
        model = m.ServiceUnit
        fields = ["name", "code", "head", "is_active"]


class SiteForm(ScopedModelForm):
    class Meta:
        model = m.Site
        fields = ["name", "address", "town", "postcode", "is_active"]


class PersonForm(ScopedModelForm):
    class Meta:
        model = m.Person
        fields = ["full_name", "email", "phone", "job_title", "service_unit", "site", "is_active"]


class TeamForm(ScopedModelForm):
    class Meta:
        model = m.Team
        fields = ["name", "email", "description", "is_active"]


class TeamMembershipForm(ScopedModelForm):
    class Meta:
        model = m.TeamMembership
        fields = ["team", "person", "is_lead"]


class WorkingPeriodForm(ScopedModelForm):
    class Meta:
        model = m.WorkingPeriod
        fields = ["weekday", "start", "end"]
        widgets = {"start": TimeInput(), "end": TimeInput()}


class ClosureDayForm(ScopedModelForm):
    class Meta:
        model = m.ClosureDay
        fields = ["date", "name"]
