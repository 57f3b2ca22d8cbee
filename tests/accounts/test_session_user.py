"""The signed-in user and their permission map come in one query (accounts.backends):
the map must be the same as the one worked out on its own, whatever the memberships."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from borough.accounts.backends import OrganisationRoleBackend
from borough.accounts.models import User
from borough.core import roles
from tests.conftest import make_member
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def loaded_and_computed(user):
    loaded = OrganisationRoleBackend().get_user(user.pk)
    computed = User.objects.get(pk=user.pk).organisation_permissions()
    return loaded, computed


def test_the_map_loaded_with_the_user_equals_the_map_worked_out_alone(org_a, org_b,
                                                                     django_assert_num_queries):
    user = make_member(org_a, roles.AGENT, "two-councils")
    MembershipFactory(user=user, organisation=org_b, role=Group.objects.get(name=roles.AUDITOR))
    empty = Group.objects.create(name="Grants nothing")
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=empty)
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=empty, is_active=False)
    MembershipFactory(user=user, organisation=OrganisationFactory(is_active=False),
                      role=Group.objects.get(name=roles.AGENT))
    with django_assert_num_queries(1):
        loaded = OrganisationRoleBackend().get_user(user.pk)
        held = loaded.organisation_permissions()
    computed = User.objects.get(pk=user.pk).organisation_permissions()
    assert held == computed
    assert len(held) == 3  # the inactive membership and the inactive council are left out
    assert "servicedesk.work_tickets" in held[org_a.pk]
    assert "servicedesk.work_tickets" not in held[org_b.pk]
    assert frozenset() in held.values()  # a role that grants nothing still names its council


def test_no_memberships_means_no_organisations(org_a):
    user = make_member(org_a, roles.AGENT, "leaver")
    user.memberships.all().delete()
    loaded, computed = loaded_and_computed(user)
    assert loaded.organisation_permissions() == computed == {}


def test_inactive_users_are_not_loaded_and_superusers_keep_their_own_rule(org_a, org_b):
    user = make_member(org_a, roles.AGENT, "gone")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert OrganisationRoleBackend().get_user(user.pk) is None
    boss = User.objects.create_superuser("boss", "boss@example.org", "x-long-password-1")
    loaded, computed = loaded_and_computed(boss)
    assert loaded.organisation_permissions() == computed
    assert set(computed) >= {org_a.pk, org_b.pk}


def test_a_token_request_loads_the_user_and_their_map_in_one_query(org_a, org_b, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from borough.accounts.services import create_token

    user = make_member(org_a, roles.AGENT, "api-agent")
    MembershipFactory(user=user, organisation=org_b, role=Group.objects.get(name=roles.AUDITOR))
    raw = create_token(user, actor=user, name="test", organisation_id=org_a.pk)[1]
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/servicedesk/tickets/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert not [q for q in captured.captured_queries
                if q["sql"].startswith('SELECT "accounts_membership"')]
    request_user = response.wsgi_request.user
    assert request_user.organisation_permissions() == User.objects.get(
        pk=user.pk).organisation_permissions()
