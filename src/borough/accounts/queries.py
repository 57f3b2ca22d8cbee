from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Subquery

from borough.accounts.models import Membership, User
from borough.core.perf.precompiled import Precompiled


def request_memberships(request) -> list:
    """`memberships_for(request.user)`, loaded once per request: the organisation switcher
    and `request.organisation` (one of these organisations) share the one query."""
    cached = getattr(request, "_borough_memberships", None)
    if cached is None:
        cached = request._borough_memberships = memberships_for(request.user)
    return cached


def memberships_for(user) -> list:
    """The user's active memberships, for the organisation switcher: each with the
    `organisation` and the `role`'s name. A platform superuser may work in any
    organisation."""
    if user.is_superuser:
        from borough.organisation.models import Organisation

        return [
            SimpleNamespace(organisation=o, role="Superuser")
            for o in Organisation.objects.filter(is_active=True).order_by("name")
        ]
    return [SimpleNamespace(organisation=o, role=o.role_name)
            for o in MEMBER_ORGANISATIONS.raw(user_id=user.pk)]


def _member_organisations(user_id):
    from borough.organisation.models import Organisation

    mine = Membership.objects.filter(user=user_id, is_active=True, organisation=OuterRef("pk"))
    return (Organisation.objects.filter(Exists(mine), is_active=True)
            .annotate(role_name=Subquery(mine.values("role__name")[:1])).order_by("name"))


# Every page asks (the switcher, `request.organisation`): compiled once per process.
MEMBER_ORGANISATIONS = Precompiled(_member_organisations)


def active_users_with_email(email: str, limit: int = 5) -> list:
    """Active logins whose address is `email`, whatever its case (addresses are not
    unique across logins, so several may match)."""
    return list(User.objects.filter(email__iexact=email, is_active=True).order_by("pk")[:limit])


def members_in_role(organisation_id: int, role: str) -> list:
    """The active logins holding `role` (a core.roles name) in the organisation through
    an active membership: whom a module tells when "the ICT manager" is to be told."""
    return list(User.objects.filter(
        is_active=True, memberships__organisation_id=organisation_id,
        memberships__is_active=True, memberships__role__name=role).order_by("pk").distinct())
