"""Issue 16 item 7.5: requesters have no use for the organisation's structure pages
(service units, sites, teams), so their role no longer reads them; the portal and the
API still file their tickets under their own unit and site, chosen on the server."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.servicedesk.models import Ticket
from tests.factories import ServiceUnitFactory, SiteFactory, TeamFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [ServiceUnitFactory, SiteFactory, TeamFactory])
def test_a_requester_is_refused_every_structure_page_and_the_api(desk, signed_in,  # noqa: F811
                                                                 factory):
    record = factory(organisation=desk.org)
    model = record._meta.model_name
    page = signed_in(desk.requester)
    for name, args in (("list", ()), ("detail", (record.pk,)), ("history", (record.pk,)),
                       ("export", ("csv",))):
        response = page.get(reverse(f"organisation:{model}_{name}", args=args))
        assert response.status_code == 403, name
        assert str(record) not in response.content.decode(), name
    api = signed_in(desk.requester, api=True)
    plural = record._meta.verbose_name_plural.replace(" ", "-")
    assert api.get(f"/api/organisation/{plural}/").status_code == 403
    assert api.get(f"/api/organisation/{plural}/{record.pk}/").status_code in (403, 404)
    # Staff still read them.
    assert signed_in(desk.agent).get(
        reverse(f"organisation:{model}_detail", args=[record.pk])).status_code == 200


def test_the_portal_and_the_api_still_file_a_requesters_ticket_under_her_unit(
        desk, signed_in, client):  # noqa: F811
    person = desk.requester_person
    person.service_unit = ServiceUnitFactory(organisation=desk.org, name="Revenues")
    person.site = SiteFactory(organisation=desk.org, name="Town Hall")
    person.save()
    client.force_login(desk.requester)
    form = client.get("/service-desk/portal/new/")
    assert form.status_code == 200
    client.post("/service-desk/portal/new/", {
        "ticket_type": "incident", "title": "Cannot print payslips",
        "description": "The printer says offline.", "urgency": "2", "submission_key": "p1"})
    api = signed_in(desk.requester, api=True)
    response = api.post("/api/servicedesk/tickets/", {
        "title": "Cannot log in", "description": "Password rejected."}, format="json")
    assert response.status_code == 201, response.content
    tickets = Ticket.objects.order_by("pk")
    assert [t.title for t in tickets] == ["Cannot print payslips", "Cannot log in"]
    for ticket in tickets:
        assert (ticket.requester, ticket.service_unit, ticket.site) == (
            person, person.service_unit, person.site)
