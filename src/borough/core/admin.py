"""Admin pages see what the user's role allows in the active organisation, and
write through core.services so admin edits are audited like any other."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from borough.core import services
from borough.core.models import AuditEvent


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the editor loaded, so a concurrent change is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["loaded_version"].initial = self.instance.version


class ScopedAdmin(admin.ModelAdmin):
    form = VersionedAdminForm
    readonly_fields = ("organisation_name", "version", "created_at", "created_by", "updated_at",
                       "updated_by")

    @admin.display(description="Organisation")
    def organisation_name(self, obj):
        return obj.organisation if obj and obj.organisation_id else "-"

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "loaded_version"]
        return [*fields, "loaded_version"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.organisation_id = request.user.active_organisation_id
            services.create_record(obj, actor=request.user)
            return
        data = {name: form.cleaned_data[name] for name in form.changed_data
                if name != "loaded_version" and not self.model._meta.get_field(name).many_to_many}
        try:
            updated = services.update_record(
                obj, actor=request.user, data=data,
                expected_version=form.cleaned_data.get("loaded_version") or obj.version,
            )
        except services.StaleVersionError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.version = updated.version

    def delete_model(self, request, obj):
        services.delete_record(obj, actor=request.user, expected_version=None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_record(obj, actor=request.user, expected_version=None)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.view_{self.opts.model_name}", obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}", obj)

    def has_add_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}", obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """History is read-only from everywhere, the admin included."""

    list_display = ("at", "action", "object_repr", "actor_repr", "organisation")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_repr")

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user).select_related("organisation")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
