"""What accounts adds to the registry: memberships (who holds which role in which
organisation) as a register, and the account records kept without pages of their own."""

from __future__ import annotations

from borough.accounts import api, filters, forms, tables
from borough.accounts import models as m
from borough.core import roles
from borough.core.registry import ModelEntry


def register(registry) -> None:
    registry.nav_section_order["Administration"] = 90
    registry.register(ModelEntry(
        m.Membership, filters.MembershipFilterSet, tables.MembershipTable, forms.MembershipForm,
        api.MembershipSerializer, api.MembershipViewSet,
        search_fields=("user__username", "user__first_name", "user__last_name"),
        nav_section="Administration", nav_order=10,
        detail_fields=("user", "role", "is_default", "is_active")))
    registry.api_routes.append(("accounts/me", api.MeViewSet, "accounts-me"))
    registry.api_routes.append(("accounts/tokens", api.TokenViewSet, "accounts-token"))
    registry.unlist(m.User, "Installation-wide logins: the admin, the profile page and "
                            "/api/accounts/me/; each organisation sees its memberships.")
    registry.unlist(m.ApiToken, "Each user's own, on the profile page and "
                                "/api/accounts/tokens/.")
    registry.unlist(m.EmailChange, "Bookkeeping of a pending change of email address.")

    registry.grant_models(roles.ADMINISTRATOR, [m.Membership],
                          ("view", "add", "change", "delete"))
    registry.grant_models(roles.AUDITOR, [m.Membership], ("view",))
