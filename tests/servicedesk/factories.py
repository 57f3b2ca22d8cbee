"""Factories for the service desk: its settings and tickets."""

from __future__ import annotations

import factory

from borough.core import references
from borough.servicedesk import models as sd
from tests.organisation.factories import OrgOwnedFactory, PersonFactory


class CategoryFactory(OrgOwnedFactory):
    class Meta:
        model = sd.Category

    name = factory.Sequence(lambda n: f"Category {n}")
    ticket_type = sd.TicketType.INCIDENT


class PriorityRuleFactory(OrgOwnedFactory):
    """Walks the nine cells of the matrix, so two rules in a row differ (one per cell)."""

    class Meta:
        model = sd.PriorityRule

    impact = factory.Sequence(lambda n: n % 3 + 1)
    urgency = factory.Sequence(lambda n: (n // 3) % 3 + 1)
    priority = factory.LazyAttribute(lambda o: sd.DEFAULT_MATRIX[(o.impact, o.urgency)])


class SLAPolicyFactory(OrgOwnedFactory):
    class Meta:
        model = sd.SLAPolicy

    name = factory.Sequence(lambda n: f"SLA policy {n}")
    priority = sd.Priority.P3
    response_minutes = 240
    resolution_minutes = 1530


class CannedResponseFactory(OrgOwnedFactory):
    class Meta:
        model = sd.CannedResponse

    title = factory.Sequence(lambda n: f"Canned response {n}")
    body = "Thank you for getting in touch. We are looking into it."


class DeskSettingsFactory(OrgOwnedFactory):
    """One per organisation: a second call for the same organisation returns the first."""

    class Meta:
        model = sd.DeskSettings
        django_get_or_create = ("organisation",)


class TicketFactory(OrgOwnedFactory):
    """A valid new incident, raised by a person of the same organisation. It skips the
    services (no SLA clock or timeline): use services.raise_ticket for lifecycle tests."""

    class Meta:
        model = sd.Ticket

    ticket_type = sd.TicketType.INCIDENT
    reference = factory.LazyAttribute(
        lambda o: references.allocate(o.organisation.pk, sd.Ticket.reference_prefixes[o.ticket_type])
    )
    title = factory.Sequence(lambda n: f"Ticket about fault {n}")
    description = "It stopped working this morning."
    requester = factory.SubFactory(PersonFactory,
                                   organisation=factory.SelfAttribute("..organisation"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Saved as the services save (the daily totals move with it), without the rest.
        from borough.servicedesk.services import save_ticket

        ticket = model_class(*args, **kwargs)
        save_ticket(ticket)
        return ticket


def set_ticket_times(ticket, *, created=None, responded=None, resolved=None, **fields):
    """Give a ticket exactly these times (services stamp them with now), with the working
    minutes to respond and resolve stamped by `elapsed`, as the services would."""
    from borough.servicedesk import elapsed

    if created is not None:
        ticket.created_at = created
    ticket.responded_at = ticket.minutes_to_respond = None
    if responded is not None:
        elapsed.record_response(ticket, responded)
    elapsed.clear_resolution(ticket)
    if resolved is not None:
        elapsed.record_resolution(ticket, resolved)
    for name, value in fields.items():
        setattr(ticket, name, value)
    # Saved as the services save, which keeps the daily totals.
    from borough.servicedesk.services import save_ticket

    save_ticket(ticket)
    return ticket


FACTORIES = {
    sd.Category: CategoryFactory,
    sd.PriorityRule: PriorityRuleFactory,
    sd.SLAPolicy: SLAPolicyFactory,
    sd.CannedResponse: CannedResponseFactory,
    sd.DeskSettings: DeskSettingsFactory,
    sd.Ticket: TicketFactory,
}
