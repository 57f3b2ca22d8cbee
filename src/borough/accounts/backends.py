"""Permissions come from the user's role in the organisation a record belongs to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from borough.core.perf.precompiled import Precompiled


def organisation_of(obj) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == settings.BOROUGH_ORGANISATION_MODEL:
        return obj.pk
    return getattr(obj, "organisation_id", None)


def _signed_in_user(user_id):
    from borough.accounts.models import User, grants_subquery

    return User._default_manager.filter(pk=user_id).annotate(grants=grants_subquery())


# Every request loads it: compiled once per process.
SIGNED_IN_USER = Precompiled(_signed_in_user)


class OrganisationRoleBackend(ModelBackend):
    """Logs in like ModelBackend (inactive users refused); roles are per organisation.

    Without an object, permissions are those of the active organisation, or of
    every organisation the user belongs to when none is active (admin, shell).
    """

    def get_user(self, user_id):
        """The signed-in user of a session, with their permission map in the same query
        (ModelBackend's checks otherwise), compiled once per process: every request
        makes it."""
        from django.core.exceptions import ValidationError

        from borough.accounts.models import User

        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(SIGNED_IN_USER.raw(user_id=pk)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        user.set_grants(user.grants)
        return user

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        held = user_obj.organisation_permissions()
        org_id = organisation_of(obj)
        if org_id is None:
            org_id = getattr(user_obj, "active_organisation_id", None)
        if org_id is None:
            return set().union(*held.values()) if held else set()
        return set(held.get(org_id, ()))

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
