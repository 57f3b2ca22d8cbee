"""What the organisation app adds to the registry: its seven registers (service units,
sites, people, teams and their members, working hours, closure days) and who may
change them. Organisations themselves belong to the platform (the admin)."""

from __future__ import annotations

from borough.core import roles
from borough.core.registry import ModelEntry
from borough.organisation import api, filters, forms, tables
from borough.organisation import models as m

SECTION = "Organisation"


def register(registry) -> None:
    registry.nav_section_order[SECTION] = 70
    registry.register(ModelEntry(
        m.ServiceUnit, filters.ServiceUnitFilterSet, tables.ServiceUnitTable,
        forms.ServiceUnitForm, api.ServiceUnitSerializer, api.ServiceUnitViewSet,
        search_fields=("name", "code"), nav_section=SECTION, nav_order=10, import_key=("name",),
        detail_fields=("name", "code", "head", "is_active")))
    registry.register(ModelEntry(
        m.Site, filters.SiteFilterSet, tables.SiteTable, forms.SiteForm,
        api.SiteSerializer, api.SiteViewSet,
        search_fields=("name", "town", "postcode"), nav_section=SECTION, nav_order=20,
        import_key=("name",),
        detail_fields=("name", "address", "town", "postcode", "is_active")))
    registry.register(ModelEntry(
        m.Person, filters.PersonFilterSet, tables.PersonTable, forms.PersonForm,
        api.PersonSerializer, api.PersonViewSet,
        search_fields=("full_name", "email", "job_title"), nav_section=SECTION, nav_order=30,
        comments=True, attachments=True,
        detail_fields=("full_name", "email", "phone", "job_title", "service_unit", "site",
                       "teams", "is_active")))
    registry.register(ModelEntry(
        m.Team, filters.TeamFilterSet, tables.TeamTable, forms.TeamForm,
        api.TeamSerializer, api.TeamViewSet, search_fields=("name",), import_key=("name",),
        nav_section=SECTION, nav_order=40,
        detail_fields=("name", "email", "description", "members", "is_active")))
    registry.register(ModelEntry(
        m.TeamMembership, filters.TeamMembershipFilterSet, tables.TeamMembershipTable,
        forms.TeamMembershipForm, api.TeamMembershipSerializer, api.TeamMembershipViewSet,
        nav_section=SECTION, nav_order=45, detail_fields=("team", "person", "is_lead")))
    registry.register(ModelEntry(
        m.WorkingPeriod, filters.WorkingPeriodFilterSet, tables.WorkingPeriodTable,
        forms.WorkingPeriodForm, api.WorkingPeriodSerializer, api.WorkingPeriodViewSet,
        nav_section=SECTION, nav_order=50, detail_fields=("weekday", "start", "end")))
    registry.register(ModelEntry(
        m.ClosureDay, filters.ClosureDayFilterSet, tables.ClosureDayTable,
        forms.ClosureDayForm, api.ClosureDaySerializer, api.ClosureDayViewSet,
        nav_section=SECTION, nav_order=60, detail_fields=("date", "name"),
        import_key=("date",)))
    registry.unlist(m.Organisation, "The councils themselves: created by platform "
                                    "administrators in the admin (organisation.services).")

    structure = [m.ServiceUnit, m.Site, m.Person, m.Team, m.TeamMembership,
                 m.WorkingPeriod, m.ClosureDay]
    # Not requesters: the portal and the API file their tickets under their own unit and
    # site on the server, so the structure's pages, history and exports are of no use.
    registry.grant_models(roles.READ_ALL_ROLES, structure, ("view",))
    registry.grant_models([roles.ADMINISTRATOR, roles.ICT_MANAGER], structure,
                          ("add", "change", "delete"))
    registry.grant_models(roles.TEAM_LEAD, [m.TeamMembership], ("add", "change", "delete"))
    registry.grant_models(roles.AGENT, [m.Person], ("add", "change"))
