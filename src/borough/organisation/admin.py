from django.contrib import admin

from borough.core import services
from borough.core.admin import ScopedAdmin
from borough.organisation import models as m
from borough.organisation.services import create_organisation


@admin.register(m.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Councils are set up by the platform's superusers only."""

    list_display = ("name", "code", "nation", "is_active")
    fields = ("name", "code", "nation", "email_domain", "is_active")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            data = {n: form.cleaned_data[n] for n in form.changed_data}
            services.update_record(obj, actor=request.user, data=data, expected_version=obj.version)
        else:
            saved = create_organisation(actor=request.user, **form.cleaned_data)
            obj.pk = saved.pk


for model, columns in [
    (m.ServiceUnit, ("name", "code", "head", "is_active")),
    (m.Site, ("name", "town", "postcode", "is_active")),
    (m.Person, ("full_name", "email", "service_unit", "site", "is_active")),
    (m.Team, ("name", "email", "is_active")),
    (m.TeamMembership, ("team", "person", "is_lead")),
    (m.WorkingPeriod, ("weekday", "start", "end")),
    (m.ClosureDay, ("date", "name")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ScopedAdmin,),
                                    {"list_display": columns}))
