"""The organisation registers' API: one explicit serializer and viewset per model."""

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.organisation import filters as f
from borough.organisation import models as m


class ServiceUnitSerializer(BaseModelSerializer):
    class Meta:
        model = m.ServiceUnit
        fields = [*BaseModelSerializer.base_fields(), "name", "code", "head", "is_active"]


class SiteSerializer(BaseModelSerializer):
    class Meta:
        model = m.Site
        fields = [*BaseModelSerializer.base_fields(), "name", "address", "town", "postcode",
                  "is_active"]


class PersonSerializer(BaseModelSerializer):
    class Meta:
        model = m.Person
        fields = [*BaseModelSerializer.base_fields(), "full_name", "email", "phone",
                  "job_title", "service_unit", "site", "is_active"]


class TeamSerializer(BaseModelSerializer):
    class Meta:
        model = m.Team
        fields = [*BaseModelSerializer.base_fields(), "name", "email", "description",
                  "is_active"]


class TeamMembershipSerializer(BaseModelSerializer):
    class Meta:
        model = m.TeamMembership
        fields = [*BaseModelSerializer.base_fields(), "team", "person", "is_lead"]


class WorkingPeriodSerializer(BaseModelSerializer):
    class Meta:
        model = m.WorkingPeriod
        fields = [*BaseModelSerializer.base_fields(), "weekday", "start", "end"]


class ClosureDaySerializer(BaseModelSerializer):
    class Meta:
        model = m.ClosureDay
        fields = [*BaseModelSerializer.base_fields(), "date", "name"]


class ServiceUnitViewSet(BaseModelViewSet):
    model = m.ServiceUnit
    serializer_class = ServiceUnitSerializer
    filterset_class = f.ServiceUnitFilterSet
    ordering_fields = ("name", "code", "id")


class SiteViewSet(BaseModelViewSet):
    model = m.Site
    serializer_class = SiteSerializer
    filterset_class = f.SiteFilterSet
    ordering_fields = ("name", "town", "id")


class PersonViewSet(BaseModelViewSet):
    model = m.Person
    serializer_class = PersonSerializer
    filterset_class = f.PersonFilterSet
    ordering_fields = ("full_name", "email", "id")


class TeamViewSet(BaseModelViewSet):
    model = m.Team
    serializer_class = TeamSerializer
    filterset_class = f.TeamFilterSet
    ordering_fields = ("name", "id")


class TeamMembershipViewSet(BaseModelViewSet):
    model = m.TeamMembership
    serializer_class = TeamMembershipSerializer
    filterset_class = f.TeamMembershipFilterSet
    select_related = ("team", "person")


class WorkingPeriodViewSet(BaseModelViewSet):
    model = m.WorkingPeriod
    serializer_class = WorkingPeriodSerializer
    filterset_class = f.WorkingPeriodFilterSet
    ordering_fields = ("weekday", "start", "id")


class ClosureDayViewSet(BaseModelViewSet):
    model = m.ClosureDay
    serializer_class = ClosureDaySerializer
    filterset_class = f.ClosureDayFilterSet
    ordering_fields = ("date", "id")
