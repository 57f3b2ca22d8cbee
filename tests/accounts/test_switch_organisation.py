"""The organisation switcher: members only, POST only, same-site `next` (rules 2, 17, 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.accounts.middleware import SESSION_KEY
from borough.core import roles
from tests.conftest import make_member
from tests.factories import MembershipFactory, OrganisationFactory, ServiceUnitFactory

SWITCH = reverse("accounts:switch_organisation")
UNITS = reverse("organisation:serviceunit_list")
HOME = reverse("core:home")


@pytest.fixture
def two_org_member(org_a, org_b):
    user = make_member(org_a, roles.AGENT, "alice")
    MembershipFactory(user=user, organisation=org_b, is_default=False,
                      role=user.memberships.get().role)
    ServiceUnitFactory(organisation=org_a, name="Finance in A")
    ServiceUnitFactory(organisation=org_b, name="Planning in B")
    return user


@pytest.mark.django_db
def test_switching_shows_the_other_organisations_records(signed_in, two_org_member, org_b):
    client = signed_in(two_org_member)
    before = client.get(UNITS).content.decode()
    assert "Finance in A" in before and "Planning in B" not in before

    response = client.post(SWITCH, {"organisation": org_b.pk, "next": UNITS})

    assert response.status_code == 302
    assert response["Location"] == UNITS
    after = client.get(UNITS).content.decode()
    assert "Planning in B" in after and "Finance in A" not in after
    assert f"You are now working in {org_b.name}" in after


@pytest.mark.django_db
def test_switching_to_an_organisation_you_are_not_in_is_refused(signed_in, two_org_member):
    other = OrganisationFactory(name="Fellside Council", code="fc")
    ServiceUnitFactory(organisation=other, name="Secret unit")
    client = signed_in(two_org_member)

    response = client.post(SWITCH, {"organisation": other.pk}, follow=True)

    assert "You are not a member of that organisation." in response.content.decode()
    assert client.session.get(SESSION_KEY) != other.pk
    body = client.get(UNITS).content.decode()
    assert "Secret unit" not in body and "Finance in A" in body


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc", "-1", "999999"])
def test_nonsense_organisation_values_are_refused(signed_in, two_org_member, value):
    client = signed_in(two_org_member)
    response = client.post(SWITCH, {"organisation": value}, follow=True)
    assert response.status_code == 200
    assert "You are not a member of that organisation." in response.content.decode()


@pytest.mark.django_db
def test_an_inactive_membership_does_not_allow_switching(signed_in, two_org_member, org_b):
    two_org_member.memberships.filter(organisation=org_b).update(is_active=False)
    client = signed_in(two_org_member)
    client.post(SWITCH, {"organisation": org_b.pk})
    assert "Planning in B" not in client.get(UNITS).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http://evil.example/organisation/",
    "javascript:alert(1)", "https:///evil.example/",
])
def test_next_only_allows_same_site_paths(signed_in, two_org_member, org_b, target):
    client = signed_in(two_org_member)
    response = client.post(SWITCH, {"organisation": org_b.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == HOME


@pytest.mark.django_db
def test_next_on_a_record_of_the_organisation_left_goes_home(signed_in, two_org_member,
                                                            org_a, org_b):
    finance = ServiceUnitFactory(organisation=org_a, name="Housing in A")
    detail = reverse("organisation:serviceunit_detail", args=[finance.pk])
    client = signed_in(two_org_member)
    response = client.post(SWITCH, {"organisation": org_b.pk, "next": detail})
    assert response["Location"] == HOME


@pytest.mark.django_db
def test_switching_needs_post(signed_in, two_org_member, org_b):
    client = signed_in(two_org_member)
    assert client.get(SWITCH, {"organisation": org_b.pk}).status_code == 405
    assert "Finance in A" in client.get(UNITS).content.decode()


@pytest.mark.django_db
def test_switching_needs_sign_in(client, org_b):
    response = client.post(SWITCH, {"organisation": org_b.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
