"""Sign-in against LDAP / Active Directory, with roles from directory groups.

The only module that imports django_auth_ldap (python-ldap needs C headers to
build, so it is the optional extra `borough[ldap]`). Settings come from
ldap_settings.configure().
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import ldap
from django.conf import settings
from django.contrib.auth.models import Group
from django_auth_ldap.backend import LDAPBackend

from borough.accounts import services
from borough.accounts.ldap_settings import normalise_dn
from borough.core.roles import most_privileged

logger = logging.getLogger(__name__)


def role_for_groups(group_dns: Iterable[str], role_map: Mapping[str, str]) -> str | None:
    """The most privileged role that any of the groups maps to, or None."""
    return most_privileged(
        role_map[dn] for dn in (normalise_dn(g) for g in group_dns) if dn in role_map
    )


class RoleMappingLDAPBackend(LDAPBackend):
    """LDAPBackend that keeps the user's membership of settings.LDAP_ORGANISATION
    in step with their directory groups (settings.LDAP_ROLE_MAP) at each sign-in.

    Accounts deactivated in Borough stay out: the directory cannot sign them in
    or keep their sessions alive (SECURITY.md rule 8).
    """

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        if not user.is_active:
            logger.info("Directory sign-in refused for deactivated account %s", user.pk)
            return None
        try:
            self.sync_membership(user, ldap_user)
        except ldap.LDAPError as exc:
            # Without the groups the role cannot be confirmed: refuse rather than keep
            # a role the directory may have taken away.
            logger.error("Could not read directory groups for %s: %s", user.pk, exc)
            return None
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is None or not user.is_active:
            return None
        return user

    def sync_membership(self, user, ldap_user) -> None:
        role_map = getattr(settings, "LDAP_ROLE_MAP", {}) or {}
        code = getattr(settings, "LDAP_ORGANISATION", "")
        if not role_map or not code:
            return
        from borough.organisation.models import Organisation

        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            logger.error("LDAP_ORGANISATION %r is not the code of any organisation; "
                         "roles were not updated for %s", code, user.pk)
            return
        role_name = role_for_groups(ldap_user.group_dns, role_map)
        role = None
        if role_name is not None:
            role = Group.objects.filter(name=role_name).first()
            if role is None:
                logger.error("Role %r from LDAP_ROLE_MAP does not exist; run migrate", role_name)
                return
        services.sync_membership_role(
            user, organisation, role, actor=None,
            note=f"Directory groups at sign-in: {role_name or 'no mapped group'}",
        )
