"""Which organisations a user may see or change records of.

The user model implements `organisation_permissions()` (organisation id ->
permission names held there through the user's role) and may carry
`active_organisation_id`, set per request by the organisation middleware or
by an organisation-scoped API token. Everything in core reads scope through
these two functions so the rule lives in one place.
"""

from __future__ import annotations

from django.db import models


def permission_name(model: type[models.Model], action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def organisation_ids(user, perm: str) -> set[int]:
    """Organisations where `user` holds `perm`, narrowed to the active one when set."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    held = user.organisation_permissions()
    ids = {org_id for org_id, perms in held.items() if perm in perms}
    active = getattr(user, "active_organisation_id", None)
    if active is not None:
        ids &= {active}
    return ids


def can(user, action: str, model: type[models.Model], organisation_id: int | None) -> bool:
    """Whether `user` may do `action` on `model` in an organisation (the active one if None)."""
    if organisation_id is None:
        organisation_id = getattr(user, "active_organisation_id", None)
    return organisation_id in organisation_ids(user, permission_name(model, action))
