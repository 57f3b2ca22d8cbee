"""Issue 16 item 7.3: the README's addresses /service-desk/, /standards/ and /mail/ open
the first page of their menu section (the page the top navigation links to)."""

from __future__ import annotations

import pytest

from borough.core import roles
from tests.conftest import make_member
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("path", "role", "page"), [
    ("/service-desk/", roles.AGENT, "/service-desk/tickets/"),
    ("/standards/", roles.ICT_MANAGER, "/standards/cycles/"),
    ("/mail/", roles.ADMINISTRATOR, "/mail/messages/"),  # the quarantine
])
def test_each_section_address_opens_its_first_page(signed_in, org_a, path, role, page):
    client = signed_in(make_member(org_a, role))
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == page
    assert client.get(page).status_code == 200


def test_a_requester_at_the_service_desk_lands_on_the_portal(signed_in, desk):  # noqa: F811
    response = signed_in(desk.requester).get("/service-desk/", follow=True)
    assert response.redirect_chain[-1] == ("/service-desk/portal/", 302)
    assert response.status_code == 200


def test_a_role_without_a_page_in_the_section_is_told_so(signed_in, desk):  # noqa: F811
    response = signed_in(desk.requester).get("/mail/")
    assert response.status_code == 403
    assert "Your role opens no email page." in response.content.decode()


@pytest.mark.parametrize("path", ["/service-desk/", "/standards/", "/mail/"])
def test_signed_out_the_section_address_asks_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
