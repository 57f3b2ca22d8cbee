from __future__ import annotations

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "borough_organisation_id"


def choose_organisation(user, wanted: int | None) -> int | None:
    """The organisation to work in: the one asked for if the user belongs to it,
    else their default membership, else the first they belong to."""
    held = user.organisation_permissions()
    if wanted in held:
        return wanted
    from borough.accounts.models import Membership

    default = (
        Membership.objects.filter(user=user, is_default=True, organisation_id__in=held)
        .values_list("organisation_id", flat=True).first()
    )
    if default is not None:
        return default
    return min(held) if held else None


def _load_organisation(request, org_id):
    """The organisation worked in, taken from the request's memberships (which the page's
    organisation switcher loads anyway) rather than by a query of its own."""
    if not org_id:
        return None
    from borough.accounts.queries import request_memberships

    for membership in request_memberships(request):
        if membership.organisation.pk == org_id:
            return membership.organisation
    from borough.organisation.models import Organisation

    return Organisation.objects.filter(pk=org_id).first()


class ActiveOrganisationMiddleware:
    """Sets request.organisation and user.active_organisation_id for signed-in users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        user = request.user
        if user.is_authenticated:
            org_id = choose_organisation(user, request.session.get(SESSION_KEY))
            user.active_organisation_id = org_id
            if org_id is not None and request.session.get(SESSION_KEY) != org_id:
                request.session[SESSION_KEY] = org_id
            request.organisation = SimpleLazyObject(
                lambda: _load_organisation(request, org_id))
        return self.get_response(request)
