"""Migration 0014 (and `borough match_ticket_links`) link tickets to the CI and service
their free text names: by reference, then by name ignoring case, in the ticket's own
organisation; ambiguous or unknown text stays text."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from borough.core.models import AuditEvent
from borough.servicedesk import matching
from borough.servicedesk.models import Ticket
from tests.catalogue.factories import BusinessServiceFactory
from tests.cmdb.factories import ConfigurationItemFactory
from tests.factories import OrganisationFactory, PersonFactory, TicketFactory
from tests.migrating import database_at, made, migrate, organisation

BEFORE = ("servicedesk", "0014_ticket_business_service")
AFTER = ("servicedesk", "0015_match_ticket_links")


def estate():
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    found = type("Estate", (), {})
    found.ours, found.theirs = ours, theirs
    found.person = PersonFactory(organisation=ours)
    found.payroll = ConfigurationItemFactory(organisation=ours, name="Payroll server")
    found.printers = ConfigurationItemFactory.create_batch(2, organisation=ours, name="Printer")
    found.tax_elsewhere = ConfigurationItemFactory(organisation=theirs, name="Council Tax")
    found.email = BusinessServiceFactory(organisation=ours, name="Email")
    return found



def old_estate(apps):
    """The estate of `estate`, as the models stood before the links: ids of what matters."""
    ours, theirs = organisation(apps), organisation(apps, "Allerdale", "abc")
    server = {org: made(apps, "cmdb.CIClass", organisation_id=org, code="server", name="Server")
              for org in (ours, theirs)}

    def item(org, n, name):
        return made(apps, "cmdb.ConfigurationItem", organisation_id=org,
                    ci_class_id=server[org], reference=f"CI-{n:06d}", name=name)

    found = type("Estate", (), {"ours": ours})
    found.person = made(apps, "organisation.Person", organisation_id=ours,
                        full_name="Ann Example")
    found.payroll = item(ours, 1, "Payroll server")
    item(ours, 2, "Printer")
    item(ours, 3, "Printer")
    item(theirs, 1, "Council Tax")
    found.email = made(apps, "catalogue.BusinessService", organisation_id=ours,
                       reference="SVC-000001", name="Email")
    return found


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_what_it_can_and_keeps_the_rest_as_text():
    with database_at(BEFORE) as old:
        world = old_estate(old)
        OldTicket = old.get_model("servicedesk", "Ticket")
        texts = {
            "by name": ("  payroll SERVER ", ""),
            "by reference": ("ci-000001", ""),
            "as suggested": ("CI-000001 Payroll server", ""),
            "ambiguous": ("Printer", ""),
            "another council's name": ("Council Tax", ""),
            "unknown": ("The thing on the second floor", ""),
            "service by name": ("", "EMAIL"),
            "service by reference": ("", "SVC-000001"),
        }
        made = {}
        for n, (what, (ci_text, service_text)) in enumerate(texts.items(), start=1):
            made[what] = OldTicket.objects.create(
                organisation_id=world.ours, requester_id=world.person,
                reference=f"INC-{n:06d}", title=what, description="From before the links.",
                configuration_item=ci_text, business_service=service_text).pk

        Then = migrate(AFTER).get_model("servicedesk", "Ticket")

        links = {t.title: (t.ci_id, t.service_id, t.configuration_item, t.version)
                 for t in Then.objects.filter(pk__in=made.values())}
        payroll = world.payroll
        assert links["by name"][:2] == (payroll, None)
        assert links["by reference"][:2] == (payroll, None)
        assert links["as suggested"][:2] == (payroll, None)
        assert links["ambiguous"][:3] == (None, None, "Printer")
        assert links["another council's name"][:3] == (None, None, "Council Tax")
        assert links["unknown"][:3] == (None, None, "The thing on the second floor")
        assert links["service by name"][:2] == (None, world.email)
        assert links["service by reference"][:2] == (None, world.email)
        # The text as reported stays beside the link, and a linked ticket's version moves.
        assert links["by name"][2] == "  payroll SERVER "
        assert links["by name"][3] == 2 and links["unknown"][3] == 1


@pytest.mark.django_db
def test_matching_goes_in_batches_and_leaves_linked_tickets_alone():
    world = estate()
    other = ConfigurationItemFactory(organisation=world.ours, name="Other")
    tickets = [TicketFactory(organisation=world.ours, requester=world.person,
                             configuration_item=text)
               for text in ["Payroll server"] * 5 + ["payroll server", "Printer", "other"]]
    already = TicketFactory(organisation=world.ours, requester=world.person,
                            configuration_item="Payroll server", ci=other)
    found = matching.match(Ticket.objects, matching.Target(
        "configuration_item", "ci", type(world.payroll)), batch=2)
    assert found.as_dict() == {"linked_tickets": 7, "matched_texts": 3,
                               "unmatched_texts": 1, "ambiguous_texts": 1}
    linked = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets])
                  .values_list("pk", "ci_id"))
    assert [linked[t.pk] for t in tickets] == [world.payroll.pk] * 6 + [None, other.pk]
    already.refresh_from_db()
    assert already.ci == other  # linked before: untouched


@pytest.mark.django_db
def test_the_command_links_once_with_an_audit_event_each():
    world = estate()
    ticket = TicketFactory(organisation=world.ours, requester=world.person,
                           configuration_item="Payroll server", business_service="email")
    out = StringIO()
    call_command("match_ticket_links", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["ci"]["linked_tickets"] == 1 and figures["service"]["linked_tickets"] == 1
    ticket.refresh_from_db()
    assert (ticket.ci, ticket.service) == (world.payroll, world.email)
    events = AuditEvent.objects.filter(object_id=ticket.pk, note=matching_note())
    assert sorted(next(iter(e.changes)) for e in events) == ["business service",
                                                            "configuration item"]
    out = StringIO()
    call_command("match_ticket_links", stdout=out)  # again: nothing left to do
    assert "0 tickets linked" in out.getvalue()


def matching_note() -> str:
    from borough.servicedesk.management.commands.match_ticket_links import NOTE

    return NOTE
