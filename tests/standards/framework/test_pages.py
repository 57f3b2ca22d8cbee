"""Framework pages: who may read them and what they show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.core import roles
from borough.standards.framework.loader import load_text
from tests.conftest import make_member
from tests.factories import UserFactory


@pytest.fixture
def small(small_text):
    return load_text(small_text).framework


@pytest.fixture
def shipped(documented_rules):
    from borough.standards.framework.loader import load_shipped_frameworks

    return load_shipped_frameworks()[0].framework


@pytest.mark.django_db
@pytest.mark.parametrize("role", [roles.AGENT, roles.ICT_MANAGER, roles.AUDITOR,
                                  roles.SERVICE_UNIT_HEAD])
def test_staff_read_the_list_and_the_framework(role, org_a, small, signed_in):
    client = signed_in(make_member(org_a, role))
    listing = client.get(reverse("standards:framework_list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Digital basics" in html and small.get_absolute_url() in html
    detail = client.get(small.get_absolute_url())
    assert detail.status_code == 200
    html = detail.content.decode()
    for text in ("People", "Service desk", "There is a training plan.", "Section 2",
                 "Test rule tests.counts-tickets", "Settings: min_tickets: 5"):
        assert text in html, text
    # Evidence-checked, assessor and added criteria are told apart.
    assert html.count('govuk-tag--blue">Live evidence') == 2  # the key and one criterion
    assert html.count('govuk-tag--yellow govuk-!-margin-top-1">Added') == 1


@pytest.mark.django_db
def test_a_framework_is_shared_by_every_organisation(org_b, small, signed_in):
    client = signed_in(make_member(org_b, roles.AGENT))
    assert client.get(small.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_requesters_and_people_of_no_organisation_see_nothing(org_a, small, client):
    for user in (make_member(org_a, roles.REQUESTER), UserFactory(username="nobody")):
        client.force_login(user)
        for url in (reverse("standards:framework_list"), small.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "Digital basics" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(small, client):
    response = client.get(small.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_an_unknown_framework_is_not_found(org_a, signed_in):
    client = signed_in(make_member(org_a, roles.AGENT))
    assert client.get(reverse("standards:framework_detail", args=[999])).status_code == 404


@pytest.mark.django_db
def test_earlier_versions_point_to_the_latest(org_a, small_text, signed_in):
    first = load_text(small_text).framework
    second = load_text(small_text.replace("Backups are taken.", "Backups run nightly.")).framework
    client = signed_in(make_member(org_a, roles.AGENT))
    html = client.get(first.get_absolute_url()).content.decode()
    assert "This is an earlier version." in html and second.get_absolute_url() in html
    html = client.get(second.get_absolute_url()).content.decode()
    assert "This is an earlier version." not in html
    assert "Version 2 (this page)" in html
    listing = client.get(reverse("standards:framework_list")).content.decode()
    assert listing.count(">Latest<") == 1 and listing.count(">Earlier version<") == 1


@pytest.mark.django_db
def test_the_shipped_framework_page(org_a, shipped, signed_in, django_assert_max_num_queries):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    client.get(reverse("core:home"))
    with django_assert_max_num_queries(15):
        response = client.get(shipped.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<h3 class="govuk-heading-m" id="standard-') == 19
    assert html.count('<h2 class="govuk-heading-l govuk-!-margin-top-8" id="theme-') == 13
    assert "Strategic Sourcing and Supplier Management" in html
    assert "19 standards" in html


@pytest.mark.django_db
def test_the_empty_list_says_how_to_load_one(org_a, signed_in):
    client = signed_in(make_member(org_a, roles.AGENT))
    html = client.get(reverse("standards:framework_list")).content.decode()
    assert "borough load_framework nesds-ict" in html
