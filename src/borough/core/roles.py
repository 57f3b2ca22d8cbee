"""Roles are Django groups; apps grant them permissions through the registry and
this keeps the groups' permissions in step after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from borough.core.registry import registry


def sync_role_permissions(*, stdout=None) -> dict[str, int]:
    """Give each role exactly the permissions apps granted it; returns counts per role."""
    counts = {}
    for role, perms in sorted(registry.role_grants.items()):
        group, _ = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        wanted = list(Permission.objects.filter(query))
        group.permissions.set(wanted)
        counts[role] = len(wanted)
        if stdout:
            stdout.write(f"{role}: {len(wanted)} permissions\n")
    return counts


def sync_role_permissions_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Permissions for every app exist only once the last app has migrated.
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is not None and app_config is with_models[-1]:
        sync_role_permissions()
