from __future__ import annotations

from types import SimpleNamespace

from borough.accounts.models import Membership


def request_memberships(request) -> list:
    """`memberships_for(request.user)`, loaded once per request: the organisation switcher
    and `request.organisation` (one of these organisations) share the one query."""
    cached = getattr(request, "_borough_memberships", None)
    if cached is None:
        cached = request._borough_memberships = memberships_for(request.user)
    return cached


def memberships_for(user) -> list:
    """The user's active memberships, for the organisation switcher. A platform
    superuser may work in any organisation."""
    if user.is_superuser:
        from borough.organisation.models import Organisation

        return [
            SimpleNamespace(organisation=o, role="Superuser")
            for o in Organisation.objects.filter(is_active=True).order_by("name")
        ]
    return list(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation", "role")
        .order_by("organisation__name")
    )
