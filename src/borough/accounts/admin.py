from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from borough.accounts.models import ApiToken, Membership, User
from borough.core.admin import ScopedAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_add_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "organisation", "role", "is_default", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__email")
    fields = ("user", "role", "is_default", "is_active")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "hint", "organisation", "read_only", "expires_at", "revoked_at")
    readonly_fields = ("key_hash", "hint", "last_used_at", "created_at")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False  # tokens are made with `borough token create` or the profile page
