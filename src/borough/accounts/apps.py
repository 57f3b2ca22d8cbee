from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "borough.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from borough.accounts import api, filters, forms, roles, tables
        from borough.accounts.models import Membership
        from borough.core.models import Attachment, AuditEvent, Comment, Notification
        from borough.core.registry import ModelEntry, grant_model_permissions, registry

        registry.register(ModelEntry(
            Membership, filters.MembershipFilterSet, tables.MembershipTable, forms.MembershipForm,
            api.MembershipSerializer, api.MembershipViewSet,
            search_fields=("user__username", "user__first_name", "user__last_name"),
            nav_section="Administration", nav_order=10,
            detail_fields=("user", "role", "is_default", "is_active"),
        ))
        grant_model_permissions(
            roles.ADMINISTRATOR, [Membership], ("view", "add", "change", "delete")
        )
        grant_model_permissions(roles.AUDITOR, [Membership], ("view",))
        # Shared records: everyone may read and add comments and files on what they can see.
        for role in roles.ALL_ROLES:
            grant_model_permissions(role, [Comment, Attachment], ("view",))
            if role != roles.AUDITOR:
                grant_model_permissions(role, [Comment, Attachment], ("add",))
        for role in roles.ALL_ROLES:
            grant_model_permissions(role, [Notification], ("view", "change"))
        for role in roles.READ_ALL_ROLES:
            grant_model_permissions(role, [AuditEvent], ("view",))
            registry.grant(role, ["core.view_internal_comment"])
        for role in roles.ALL_ROLES:
            registry.grant(role, [])  # every role exists as a group, even before it has grants
