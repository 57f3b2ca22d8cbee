"""A ticket names its configuration item and business service (issue 17, deliverable 5):
the model's rules, choosing with suggestions (the endpoints, the staff form, the update
form, the API), the ticket page's panels, the CI's and the service's pages, the queue's
filters and the portal's "which system?"."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from borough.cmdb.models import RelationshipType
from borough.core import roles
from borough.servicedesk import concerns, services
from borough.servicedesk.models import Status, Ticket
from tests.catalogue.factories import BusinessServiceFactory, ServiceComponentFactory
from tests.cmdb.factories import (
    CIClassFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
)
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, TicketFactory

pytestmark = pytest.mark.django_db

ADD = "/service-desk/tickets/add/"
PORTAL = "/service-desk/portal/new/"
CI_SUGGEST = "/api/cmdb/configuration-items/suggest/"
SERVICE_SUGGEST = "/api/catalogue/business-services/suggest/"


@pytest.fixture
def estate(desk, org_b):
    """Payroll (a service) delivered by the Payroll application, which runs on PAYSRV01;
    Council Tax delivered by its own application; a second council with a CI called
    Payroll of its own."""
    app_class = CIClassFactory(organisation=desk.org, code="application", name="Application",
                               attribute_schema=[])
    server_class = CIClassFactory(organisation=desk.org, code="physical-server",
                                  name="Physical server", attribute_schema=[])
    unit = ServiceUnitFactory(organisation=desk.org, name="Finance")
    server = ConfigurationItemFactory(organisation=desk.org, name="PAYSRV01",
                                      ci_class=server_class, attributes={})
    app = ConfigurationItemFactory(organisation=desk.org, name="Payroll application",
                                   ci_class=app_class, attributes={}, service_unit=unit)
    tax_app = ConfigurationItemFactory(organisation=desk.org, name="Revenues system",
                                       ci_class=app_class, attributes={}, service_unit=unit)
    RelationshipFactory(organisation=desk.org, source=app, target=server,
                        relationship_type=RelationshipType.RUNS_ON)
    payroll = BusinessServiceFactory(organisation=desk.org, name="Payroll")
    tax = BusinessServiceFactory(organisation=desk.org, name="Council Tax")
    ServiceComponentFactory(organisation=desk.org, service=payroll, configuration_item=app)
    ServiceComponentFactory(organisation=desk.org, service=tax, configuration_item=tax_app)
    elsewhere = ConfigurationItemFactory(organisation=org_b, name="Payroll application",
                                         attributes={})
    desk.requester_person.service_unit = unit
    desk.requester_person.save()
    return type("Estate", (), {"server": server, "app": app, "tax_app": tax_app,
                               "payroll": payroll, "tax": tax, "elsewhere": elsewhere,
                               "unit": unit, "org_b": org_b})


def raise_for(desk, **fields) -> Ticket:
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type="incident",
                                 title=fields.pop("title", "Payslips will not print"),
                                 description="Since this morning.",
                                 requester=desk.requester_person, **fields)


# --- the model's rules ---------------------------------------------------------------------

def test_another_councils_ci_or_service_is_refused(desk, estate):
    with pytest.raises(ValidationError) as refused:
        raise_for(desk, ci=estate.elsewhere)
    assert "ci" in refused.value.message_dict
    other_service = BusinessServiceFactory(organisation=estate.org_b, name="Elsewhere")
    ticket = raise_for(desk, ci=estate.app, service=estate.payroll)
    with pytest.raises(ValidationError) as refused:
        services.set_concerns(ticket, actor=desk.agent, service=other_service)
    assert "service" in refused.value.message_dict
    ticket.refresh_from_db()
    assert (ticket.ci, ticket.service) == (estate.app, estate.payroll)
    ticket.service = other_service
    with pytest.raises(ValidationError, match="business service of this organisation"):
        ticket.full_clean()


def test_setting_what_it_concerns_keeps_what_is_left_out_and_is_audited(desk, estate):
    from borough.core.models import AuditEvent

    ticket = raise_for(desk, ci=estate.app)
    ticket = services.set_concerns(ticket, actor=desk.agent, service=estate.payroll)
    assert (ticket.ci, ticket.service) == (estate.app, estate.payroll)
    ticket = services.set_concerns(ticket, actor=desk.agent, ci=None)
    assert (ticket.ci, ticket.service) == (None, estate.payroll)
    changes = [e.changes for e in AuditEvent.objects.filter(object_id=ticket.pk,
                                                           action="update")]
    assert any("business service" in c or "service" in c for c in changes)


def test_requesters_cannot_set_what_a_ticket_concerns(desk, estate):
    from django.core.exceptions import PermissionDenied

    ticket = raise_for(desk)
    with pytest.raises(PermissionDenied):
        services.set_concerns(ticket, actor=desk.requester, ci=estate.app)


# --- suggestions ---------------------------------------------------------------------------

def test_ci_suggestions_are_the_callers_councils_only(desk, estate, signed_in):
    agent = signed_in(desk.agent, api=True)
    found = agent.get(CI_SUGGEST, {"q": "payroll"}).json()
    assert [s["id"] for s in found] == [estate.app.pk]
    assert found[0]["label"] == f"{estate.app.reference} Payroll application"
    assert found[0]["hint"] == "Application"
    # By reference, the exact one first; too short a query suggests nothing.
    assert agent.get(CI_SUGGEST, {"q": estate.server.reference}).json()[0]["id"] == \
        estate.server.pk
    assert agent.get(CI_SUGGEST, {"q": "p"}).json() == []
    refused = agent.get(CI_SUGGEST, {"q": "pay", "limit": "5"})
    assert refused.status_code == 400 and "limit" in refused.json()["detail"]


def test_suggestions_need_permission_to_read_the_cmdb(desk, estate, signed_in):
    requester = signed_in(desk.requester, api=True)
    assert requester.get(CI_SUGGEST, {"q": "payroll"}).status_code == 403
    assert requester.get(SERVICE_SUGGEST, {"q": "payroll"}).status_code == 403
    assert signed_in(desk.agent).get(CI_SUGGEST, {"q": "pay"}).status_code == 200
    from django.test import Client

    assert Client().get(CI_SUGGEST, {"q": "pay"}).status_code in (401, 403)


def test_choosing_a_ci_suggests_its_services_first(desk, estate, signed_in):
    agent = signed_in(desk.agent, api=True)
    label = f"{estate.app.reference} Payroll application"
    found = agent.get(SERVICE_SUGGEST, {"q": "", "ci": label}).json()
    assert [(s["id"], s["first"]) for s in found] == [(estate.payroll.pk, True)]
    # Under two characters typed, still the CI's own (by its id, as the API sends it).
    found = agent.get(SERVICE_SUGGEST, {"q": "o", "ci": str(estate.app.pk)}).json()
    assert [s["id"] for s in found] == [estate.payroll.pk]
    assert agent.get(SERVICE_SUGGEST, {"q": "o"}).json() == []
    found = agent.get(SERVICE_SUGGEST, {"q": "ou", "ci": estate.tax_app.reference}).json()
    assert [s["id"] for s in found][:1] == [estate.tax.pk]  # Council Tax, the CI's own
    # A half-typed CI is no CI: suggestions as usual, and no error.
    assert agent.get(SERVICE_SUGGEST, {"q": "pay", "ci": "Payr"}).status_code == 200


# --- the staff form ------------------------------------------------------------------------

def staff_data(desk, **extra) -> dict:
    return {"ticket_type": "incident", "requester": desk.requester_person.pk,
            "title": "Payslips will not print", "description": "Rang in.", "channel": "phone",
            "impact": "3", "urgency": "3", **extra}


def field_error(body: str, name: str) -> str:
    found = re.search(rf'<p class="govuk-error-message" id="id_{name}-error">(.*?)</p>', body,
                      re.S)
    return found.group(1) if found else ""


def test_the_staff_form_takes_a_ci_and_service_by_reference_or_name(desk, estate, signed_in):
    agent = signed_in(desk.agent)
    page = agent.get(ADD).content.decode()
    assert 'data-borough-suggest="/api/cmdb/configuration-items/suggest/"' in page
    assert 'data-borough-suggest-with="ci=id_ci"' in page
    response = agent.post(ADD, staff_data(
        desk, ci=f"{estate.app.reference} Payroll application", service="payroll"))
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Payslips will not print")
    assert (ticket.ci, ticket.service) == (estate.app, estate.payroll)


@pytest.mark.parametrize(("typed", "says"), [
    ("Nothing like it", "No configuration item called “Nothing like it”: type its reference, like CI-000123"),
    ("Printer", "More than one configuration item is called “Printer”"),
])
def test_the_staff_form_says_when_a_ci_matches_none_or_several(desk, estate, signed_in,
                                                               typed, says):
    ConfigurationItemFactory.create_batch(2, organisation=desk.org, name="Printer")
    response = signed_in(desk.agent).post(ADD, staff_data(desk, ci=typed))
    assert response.status_code == 400
    assert says in field_error(response.content.decode(), "ci")
    assert not Ticket.objects.exists()


def test_another_councils_ci_reads_as_none_on_the_form_and_the_api(desk, estate, signed_in):
    typed = f"{estate.elsewhere.reference} Payroll application"
    response = signed_in(desk.agent).post(ADD, staff_data(desk, ci=str(estate.elsewhere.pk)))
    assert "No configuration item called" in field_error(response.content.decode(), "ci")
    api = signed_in(desk.agent, api=True)
    made = api.post("/api/servicedesk/tickets/", {
        "title": "Other council", "description": "x", "requester": desk.requester_person.pk,
        "ci": estate.elsewhere.pk}, format="json")
    missing = api.post("/api/servicedesk/tickets/", {
        "title": "Other council", "description": "x", "requester": desk.requester_person.pk,
        "ci": 987654}, format="json")
    assert made.status_code == missing.status_code == 400
    assert made.json()["ci"] == [m.replace("987654", str(estate.elsewhere.pk))
                                 for m in missing.json()["ci"]]
    assert typed  # the label form is refused the same way (see the form test above)


# --- the API -------------------------------------------------------------------------------

def test_the_api_gives_both_links_with_their_names_and_filters_by_them(desk, estate, signed_in):
    api = signed_in(desk.agent, api=True)
    made = api.post("/api/servicedesk/tickets/", {
        "title": "Payroll down", "description": "x", "requester": desk.requester_person.pk,
        "ci": estate.app.pk, "service": estate.payroll.pk, "configuration_item": "the pay thing"},
        format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["ci"] == estate.app.pk and body["service"] == estate.payroll.pk
    assert body["ci_display"] == f"{estate.app.reference} Payroll application"
    assert body["service_display"] == f"{estate.payroll.reference} Payroll"
    assert body["configuration_item"] == "the pay thing"
    raise_for(desk, title="Unrelated")
    listed = api.get("/api/servicedesk/tickets/", {"ci": estate.app.pk}).json()
    assert [t["title"] for t in listed["results"]] == ["Payroll down"]
    assert listed["results"][0]["service_display"] == f"{estate.payroll.reference} Payroll"
    listed = api.get("/api/servicedesk/tickets/", {"service": estate.payroll.reference}).json()
    assert [t["title"] for t in listed["results"]] == ["Payroll down"]
    refused = api.get("/api/servicedesk/tickets/", {"ci": estate.elsewhere.pk})
    assert refused.status_code == 400 and "ci" in refused.json()
    # PATCH changes them, with the version read.
    ticket = Ticket.objects.get(title="Payroll down")
    changed = api.patch(f"/api/servicedesk/tickets/{ticket.pk}/",
                        {"service": estate.tax.pk, "version": ticket.version}, format="json")
    assert changed.status_code == 200 and changed.json()["service"] == estate.tax.pk
    # The record action too, leaving out what it does not name.
    ticket.refresh_from_db()
    done = api.post(f"/api/servicedesk/tickets/{ticket.pk}/concerns/",
                    {"ci": None, "version": ticket.version}, format="json")
    assert done.status_code == 200, done.json()
    ticket.refresh_from_db()
    assert (ticket.ci, ticket.service) == (None, estate.tax)


# --- the ticket page -----------------------------------------------------------------------

def test_the_ticket_page_links_both_and_says_what_else_the_ci_supports(desk, estate,
                                                                         signed_in):
    ticket = raise_for(desk, ci=estate.server, service=estate.payroll)
    other = raise_for(desk, title="Payroll slow", service=estate.payroll)
    raise_for(desk, title="Unrelated")
    closed = raise_for(desk, title="Old payroll fault", ci=estate.server)
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    page = signed_in(desk.agent).get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    assert f'href="/configuration/items/{estate.server.pk}/">{estate.server.reference} ' \
           f'PAYSRV01</a>' in page
    assert f'href="/catalogue/services/{estate.payroll.pk}/"' in page
    supports = page.split('id="ci-supports"')[1].split('id="other-tickets"')[0]
    assert "Payroll</a>" in supports and "Payroll application</a>" in supports
    assert "Council Tax" not in supports
    others = page.split('id="other-tickets"')[1]
    assert other.reference in others and "1 other open ticket" in others
    assert closed.reference not in others and "Unrelated" not in others


def test_the_update_form_sets_and_clears_them_and_says_what_is_wrong(desk, estate,
                                                                     signed_in):
    ticket = raise_for(desk)
    agent = signed_in(desk.agent)
    url = f"/service-desk/tickets/{ticket.pk}/update/"
    keep = {"team": "", "assignee": "", "status": ticket.status, "impact": "3",
            "urgency": "3", "note": ""}
    response = agent.post(url, {**keep, "version": ticket.version, "ci": "PAYSRV01",
                                "service": estate.payroll.reference})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.ci, ticket.service) == (estate.server, estate.payroll)
    response = agent.post(url, {**keep, "version": ticket.version, "ci": "No such thing",
                                "service": ""})
    assert response.status_code == 400
    assert "No configuration item called “No such thing”" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.service == estate.payroll  # nothing applied
    response = agent.post(url, {**keep, "version": ticket.version, "ci": "", "service": ""})
    ticket.refresh_from_db()
    assert (ticket.ci, ticket.service) == (None, None)


# --- the CI's and the service's pages ------------------------------------------------------

def test_the_ci_page_lists_its_tickets_open_first_with_counts(desk, estate, signed_in):
    done = raise_for(desk, title="Fixed last week", ci=estate.app)
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    open_one = raise_for(desk, title="Payroll will not start", ci=estate.app)
    raise_for(desk, title="Not this one", ci=estate.server)
    page = signed_in(desk.agent).get(f"/configuration/items/{estate.app.pk}/").content.decode()
    tickets = page.split('id="tickets"')[1]
    assert "1 open ticket of 2 about this configuration item" in tickets
    assert tickets.index(open_one.reference) < tickets.index(done.reference)
    assert "Not this one" not in tickets
    page = signed_in(desk.agent).get(f"/catalogue/services/{estate.payroll.pk}/")
    assert "No tickets about this service." in page.content.decode()


def test_the_service_page_lists_its_tickets(desk, estate, signed_in):
    ticket = raise_for(desk, title="Payroll late", service=estate.payroll)
    page = signed_in(desk.agent).get(f"/catalogue/services/{estate.payroll.pk}/")
    assert ticket.reference in page.content.decode().split('id="tickets"')[1]


def test_a_requester_never_sees_anothers_tickets_through_a_ci(desk, estate, signed_in):
    mine = raise_for(desk, title="My payroll problem", ci=estate.app)
    someone = PersonFactory(organisation=desk.org, full_name="Someone Else")
    theirs = services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type="incident",
                                   title="Their secret problem", description="x",
                                   requester=someone, ci=estate.app)
    # The CI page is not theirs to open at all…
    response = signed_in(desk.requester).get(f"/configuration/items/{estate.app.pk}/")
    assert response.status_code in (403, 404)
    assert theirs.title not in response.content.decode()
    # …and the panel's own reading keeps to their tickets even if a page showed it.
    panel = concerns.ci_tickets_panel(estate.app, desk.requester)
    assert [t.pk for t in panel["tickets"].tickets] == [mine.pk]
    assert panel["tickets"].total == 1 and panel["list_url"] == ""
    # Nor through the ticket page's "other open tickets", or the API's filter.
    assert concerns.other_open_tickets(mine, desk.requester).tickets == []
    listed = signed_in(desk.requester, api=True).get("/api/servicedesk/tickets/")
    assert theirs.reference not in listed.content.decode()


def test_another_councils_admin_sees_nothing_of_ours_through_their_ci(desk, estate,
                                                                      signed_in):
    admin_b = make_member(estate.org_b, roles.ADMINISTRATOR, "admin-b")
    ours = raise_for(desk, title="Our payroll", ci=estate.app)
    page = signed_in(admin_b).get(f"/configuration/items/{estate.elsewhere.pk}/")
    assert page.status_code == 200
    assert ours.reference not in page.content.decode()
    assert signed_in(admin_b).get(f"/configuration/items/{estate.app.pk}/").status_code == 404


# --- the queue -----------------------------------------------------------------------------

def test_the_queue_filters_by_ci_and_service(desk, estate, signed_in):
    wanted = raise_for(desk, title="Payroll broken", ci=estate.app, service=estate.payroll)
    raise_for(desk, title="Something else entirely")
    agent = signed_in(desk.agent)
    page = agent.get("/service-desk/tickets/", {"ci": estate.app.reference}).content.decode()
    assert wanted.reference in page and "Something else entirely" not in page
    page = agent.get("/service-desk/tickets/", {"service": "payroll"}).content.decode()
    assert wanted.reference in page and "Something else entirely" not in page
    # As with any filter value the page cannot use: no rows, and the panel says why.
    page = agent.get("/service-desk/tickets/", {"ci": "No such CI"}).content.decode()
    assert "No configuration item called “No such CI”" in page
    assert wanted.reference not in page


def test_the_queue_names_the_ci_and_service_filtered_by_never_their_ids(desk, estate,
                                                                        signed_in):
    raise_for(desk, ci=estate.app, service=estate.payroll)
    agent = signed_in(desk.agent)
    app, payroll = estate.app, estate.payroll
    for ci, service in ((str(app.pk), str(payroll.pk)), (app.reference, payroll.name.lower())):
        page = agent.get("/service-desk/tickets/",
                         {"queue": "all", "ci": ci, "service": service}).content.decode()
        # The filter panel's boxes…
        ci_box = re.search(r'<input[^>]*name="ci"[^>]*>', page).group(0)
        service_box = re.search(r'<input[^>]*name="service"[^>]*>', page).group(0)
        assert f'value="{app.reference} {app.name}"' in ci_box
        assert f'value="{payroll.reference} {payroll.name}"' in service_box
        # …and the tags of the filters applied.
        tags = re.findall(r'class="moj-filter__tag"[^>]*>.*?</span>([^<]*)</a>', page)
        assert f"Configuration item: {app.reference} {app.name}" in tags, tags
        assert f"Business service: {payroll.reference} {payroll.name}" in tags, tags
    # Renamed, the same link names it anew (the panel's HTML is kept per process).
    app.name = "Payroll system"
    app.save()
    page = agent.get("/service-desk/tickets/", {"queue": "all", "ci": str(app.pk)}).content.decode()
    assert f'value="{app.reference} Payroll system"' in page


# --- the portal ----------------------------------------------------------------------------

def test_the_portal_asks_which_system_in_plain_words(desk, estate, signed_in):
    elsewhere_unit = ServiceUnitFactory(organisation=desk.org, name="Leisure")
    ConfigurationItemFactory(organisation=desk.org, name="Leisure bookings",
                             ci_class=estate.app.ci_class, attributes={},
                             service_unit=elsewhere_unit)
    page = signed_in(desk.requester).get(PORTAL).content.decode()
    assert "Which system is it about?" in page
    for name in ("Payroll application", "Revenues system", "Council Tax", "Something else",
                 "I don’t know"):
        assert name in page, name
    assert "Leisure bookings" not in page  # another unit's application
    assert "CI-" not in page and "SVC-" not in page and "configuration item" not in page.lower()


@pytest.mark.parametrize("choice", ["app", "service", "other", "unknown"])
def test_the_portal_sets_the_tickets_service_and_ci(desk, estate, signed_in, choice):
    system = {"app": f"ci-{estate.app.pk}", "service": f"service-{estate.tax.pk}",
              "other": "other", "unknown": "unknown"}[choice]
    response = signed_in(desk.requester).post(PORTAL, {
        "ticket_type": "incident", "title": "It is broken", "description": "Really.",
        "urgency": "2", "system": system,
        "system_name": "The old pay thing" if choice == "other" else ""})
    assert response.status_code == 302, response.content.decode()[:500]
    ticket = Ticket.objects.get()
    assert (ticket.ci, ticket.service, ticket.configuration_item) == {
        "app": (estate.app, estate.payroll, ""), "service": (None, estate.tax, ""),
        "other": (None, None, "The old pay thing"), "unknown": (None, None, "")}[choice]


@pytest.mark.parametrize("choice", ["app", "service", "other", "unknown"])
def test_the_requesters_ticket_page_says_which_system_in_plain_words(desk, estate, signed_in,
                                                                    choice):
    system = {"app": f"ci-{estate.app.pk}", "service": f"service-{estate.tax.pk}",
              "other": "other", "unknown": "unknown"}[choice]
    client = signed_in(desk.requester)
    response = client.post(PORTAL, {
        "ticket_type": "incident", "title": "It is broken", "description": "Really.",
        "urgency": "2", "system": system,
        "system_name": "The old pay thing" if choice == "other" else ""})
    page = client.get(response["Location"], follow=True).content.decode()
    row = re.search(r"Which system</dt>\s*<dd[^>]*>([^<]*)</dd>", page)
    assert row, page[:2000]
    assert row.group(1).strip() == {"app": "Payroll application", "service": "Council Tax",
                                    "other": "The old pay thing",
                                    "unknown": "You did not say"}[choice]
    assert "CI-" not in page and "SVC-" not in page  # names only, as the form offered them
    # The page an email's signed link opens says the same.
    from borough.servicedesk import links

    ticket = Ticket.objects.get()
    signed = client.get(f"/service-desk/link/{links.token_for(ticket, ticket.requester)}/")
    assert row.group(0) in signed.content.decode()


def test_the_portal_refuses_a_system_it_did_not_offer(desk, estate, signed_in):
    response = signed_in(desk.requester).post(PORTAL, {
        "ticket_type": "incident", "title": "It is broken", "description": "Really.",
        "urgency": "2", "system": f"ci-{estate.elsewhere.pk}"})
    assert response.status_code == 400
    assert "Choose a system from the list" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_factory_ticket_stays_valid(desk):
    assert TicketFactory(organisation=desk.org).ci is None


def test_bad_values_are_a_400_naming_the_field_never_a_500(desk, estate, signed_in):
    api = signed_in(desk.agent, api=True)
    too_big = "99999999999999999999"
    assert api.get("/api/servicedesk/tickets/", {"ci": too_big}).status_code == 400
    assert api.get(CI_SUGGEST, {"q": "x" * 201}).status_code == 400
    assert api.get(SERVICE_SUGGEST, {"q": "pay", "ci": too_big}).status_code == 200
    ticket = raise_for(desk)
    for value in ([estate.app.pk], {"id": 1}, True, 1.5, too_big):
        response = api.post(f"/api/servicedesk/tickets/{ticket.pk}/concerns/",
                            {"ci": value, "version": ticket.version}, format="json")
        assert response.status_code == 400, (value, response.status_code)
        assert "ci" in response.json(), value
