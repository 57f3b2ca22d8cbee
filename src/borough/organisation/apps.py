from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "borough.organisation"
    label = "organisation"
    verbose_name = "Organisation"

    def ready(self):
        from borough.accounts import roles
        from borough.core.registry import ModelEntry, grant_model_permissions, registry
        from borough.organisation import api, filters, forms, tables
        from borough.organisation import models as m

        section = "Organisation"
        entries = [
            ModelEntry(m.ServiceUnit, filters.ServiceUnitFilterSet, tables.ServiceUnitTable,
                       forms.ServiceUnitForm, api.ServiceUnitSerializer, api.ServiceUnitViewSet,
                       search_fields=("name", "code"), nav_section=section, nav_order=10,
                       detail_fields=("name", "code", "head", "is_active")),
            ModelEntry(m.Site, filters.SiteFilterSet, tables.SiteTable, forms.SiteForm,
                       api.SiteSerializer, api.SiteViewSet,
                       search_fields=("name", "town", "postcode"), nav_section=section,
                       nav_order=20,
                       detail_fields=("name", "address", "town", "postcode", "is_active")),
            ModelEntry(m.Person, filters.PersonFilterSet, tables.PersonTable, forms.PersonForm,
                       api.PersonSerializer, api.PersonViewSet,
                       search_fields=("full_name", "email", "job_title"), nav_section=section,
                       nav_order=30, comments=True, attachments=True,
                       detail_fields=("full_name", "email", "phone", "job_title", "service_unit",
                                      "site", "teams", "is_active")),
            ModelEntry(m.Team, filters.TeamFilterSet, tables.TeamTable, forms.TeamForm,
                       api.TeamSerializer, api.TeamViewSet, search_fields=("name",),
                       nav_section=section, nav_order=40,
                       detail_fields=("name", "email", "description", "members", "is_active")),
            ModelEntry(m.TeamMembership, filters.TeamMembershipFilterSet,
                       tables.TeamMembershipTable, forms.TeamMembershipForm,
                       api.TeamMembershipSerializer, api.TeamMembershipViewSet,
                       nav_section=section, nav_order=45,
                       detail_fields=("team", "person", "is_lead")),
            ModelEntry(m.WorkingPeriod, filters.WorkingPeriodFilterSet, tables.WorkingPeriodTable,
                       forms.WorkingPeriodForm, api.WorkingPeriodSerializer,
                       api.WorkingPeriodViewSet, nav_section="Calendar", nav_order=10,
                       detail_fields=("weekday", "start", "end")),
            ModelEntry(m.ClosureDay, filters.ClosureDayFilterSet, tables.ClosureDayTable,
                       forms.ClosureDayForm, api.ClosureDaySerializer, api.ClosureDayViewSet,
                       nav_section="Calendar", nav_order=20, detail_fields=("date", "name")),
        ]
        for entry in entries:
            registry.register(entry)

        structure = [m.ServiceUnit, m.Site, m.Person, m.Team, m.TeamMembership,
                     m.WorkingPeriod, m.ClosureDay]
        for role in roles.READ_ALL_ROLES:
            grant_model_permissions(role, structure, ("view",))
        grant_model_permissions(roles.REQUESTER, [m.ServiceUnit, m.Site, m.Team], ("view",))
        for role in (roles.ADMINISTRATOR, roles.ICT_MANAGER):
            grant_model_permissions(role, structure, ("add", "change", "delete"))
        grant_model_permissions(roles.TEAM_LEAD, [m.TeamMembership], ("add", "change", "delete"))
        grant_model_permissions(roles.AGENT, [m.Person], ("add", "change"))
