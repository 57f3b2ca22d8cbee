from borough.core.api.factories import model_serializer, model_viewset
from borough.organisation import filters as f
from borough.organisation import models as m

ServiceUnitSerializer = model_serializer(m.ServiceUnit, ["name", "code", "head", "is_active"],
                                         __name__)
SiteSerializer = model_serializer(m.Site, ["name", "address", "town", "postcode", "is_active"],
                                  __name__)
PersonSerializer = model_serializer(
    m.Person, ["full_name", "email", "phone", "job_title", "service_unit", "site", "is_active"],
    __name__)
TeamSerializer = model_serializer(m.Team, ["name", "email", "description", "is_active"], __name__)
TeamMembershipSerializer = model_serializer(m.TeamMembership, ["team", "person", "is_lead"],
                                            __name__)
WorkingPeriodSerializer = model_serializer(m.WorkingPeriod, ["weekday", "start", "end"], __name__)
ClosureDaySerializer = model_serializer(m.ClosureDay, ["date", "name"], __name__)

ServiceUnitViewSet = model_viewset(m.ServiceUnit, ServiceUnitSerializer, f.ServiceUnitFilterSet,
                                   __name__, ordering_fields=("name", "code", "id"))
SiteViewSet = model_viewset(m.Site, SiteSerializer, f.SiteFilterSet, __name__,
                            ordering_fields=("name", "town", "id"))
PersonViewSet = model_viewset(m.Person, PersonSerializer, f.PersonFilterSet, __name__,
                              ordering_fields=("full_name", "email", "id"))
TeamViewSet = model_viewset(m.Team, TeamSerializer, f.TeamFilterSet, __name__,
                            ordering_fields=("name", "id"))
TeamMembershipViewSet = model_viewset(m.TeamMembership, TeamMembershipSerializer,
                                      f.TeamMembershipFilterSet, __name__,
                                      select_related=("team", "person"))
WorkingPeriodViewSet = model_viewset(m.WorkingPeriod, WorkingPeriodSerializer,
                                     f.WorkingPeriodFilterSet, __name__,
                                     ordering_fields=("weekday", "start", "id"))
ClosureDayViewSet = model_viewset(m.ClosureDay, ClosureDaySerializer, f.ClosureDayFilterSet,
                                  __name__, ordering_fields=("date", "id"))
