"""The roles Borough ships with, and keeping their permissions in step.

Each role is a Django group. Apps grant it permissions in their `entries.py` through
the registry; after every migrate `sync_role_permissions` gives each group exactly what
was granted (changes made to those groups in the admin are overwritten). Role names live
here, below every app, so any app may grant to them without importing upwards."""

from __future__ import annotations

REQUESTER = "Requester"
AGENT = "Service Desk Agent"
TEAM_LEAD = "Team Lead"
CHANGE_MANAGER = "Change Manager"
CAB_MEMBER = "CAB Member"
SECURITY_OFFICER = "Security Officer"
ICT_MANAGER = "ICT Manager"
SERVICE_UNIT_HEAD = "Service Unit Head"
AUDITOR = "Auditor"
ADMINISTRATOR = "Administrator"

ALL_ROLES = [
    REQUESTER, AGENT, TEAM_LEAD, CHANGE_MANAGER, CAB_MEMBER, SECURITY_OFFICER,
    ICT_MANAGER, SERVICE_UNIT_HEAD, AUDITOR, ADMINISTRATOR,
]
STAFF_ROLES = [r for r in ALL_ROLES if r != REQUESTER]
# Roles that read everything in their organisation.
READ_ALL_ROLES = [AGENT, TEAM_LEAD, CHANGE_MANAGER, CAB_MEMBER, SECURITY_OFFICER,
                  ICT_MANAGER, SERVICE_UNIT_HEAD, AUDITOR, ADMINISTRATOR]

# Most privileged first: when several directory groups map to roles in one
# organisation, the user gets the first of these they hold (ldap_backend).
# Administrators change everything; managers approve and own processes; the
# Security Officer alone sees security incidents; agents work tickets; the
# Auditor reads everything but changes nothing; requesters see their own.
BY_PRIVILEGE = [
    ADMINISTRATOR, ICT_MANAGER, SECURITY_OFFICER, SERVICE_UNIT_HEAD, CHANGE_MANAGER,
    TEAM_LEAD, CAB_MEMBER, AGENT, AUDITOR, REQUESTER,
]


def most_privileged(role_names) -> str | None:
    """The most privileged of the given role names; None when there are none."""
    held = set(role_names)
    return next((role for role in BY_PRIVILEGE if role in held), None)


def sync_role_permissions(*, stdout=None) -> dict[str, int]:
    """Give each role exactly the permissions apps granted it; returns counts per role."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from borough.core.registry import registry

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
