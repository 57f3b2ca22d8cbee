from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.organisation import models as m

app_name = "organisation"

urlpatterns = [
    *crud_urls(registry.get(m.ServiceUnit), "service-units"),
    *crud_urls(registry.get(m.Site), "sites"),
    *crud_urls(registry.get(m.Person), "people"),
    *crud_urls(registry.get(m.Team), "teams"),
    *crud_urls(registry.get(m.TeamMembership), "team-members"),
    *crud_urls(registry.get(m.WorkingPeriod), "working-hours"),
    *crud_urls(registry.get(m.ClosureDay), "closure-days"),
]
