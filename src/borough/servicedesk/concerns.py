"""What a ticket concerns — its configuration item (cmdb) and business service
(catalogue) — read for the ticket page, the queue, the API, and the panels the service
desk adds to a CI's and a service's page (registered in entries.py, so neither app
imports the service desk). The CMDB and the catalogue are read through their queries.

Every list of tickets here starts from `Ticket.objects.visible_to(user)`: a requester
sees only their own tickets wherever the list is shown (SECURITY.md rule 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.urls import reverse

from borough.catalogue import queries as catalogue_queries
from borough.cmdb import queries as cmdb_queries
from borough.core import scope
from borough.core.queries import none_recorded
from borough.servicedesk.models import OPEN_STATUSES, Ticket

OTHER_TICKETS = 5  # other open tickets on the ticket page
RECORD_TICKETS = 10  # tickets on a CI's or service's page
SUPPORTED = 10  # CIs named under "what else this CI supports"


def with_concern_labels(tickets):
    """Tickets with `ci_label` ("CI-000123 Payroll server") and `service_label`, as scalar
    subqueries: no join to plan, no query a row."""
    return tickets.annotate(ci_label=cmdb_queries.label_of("ci_id"),
                            service_label=catalogue_queries.label_of("service_id"))


@dataclass
class TicketList:
    """Up to a few tickets, and how many there are in all (`open` of them open)."""

    tickets: list
    total: int
    open: int

    @property
    def more(self) -> int:
        return self.total - len(self.tickets)


def _listed(tickets, limit: int, *, open_first: bool) -> TicketList:
    """One query: the first `limit` tickets (open first, newest first) with the counts
    over all of them as window aggregates, so a CI with 50,000 tickets costs one read of
    its index, not a count query besides."""
    is_open = Case(When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(0),
                   output_field=IntegerField())
    rows = list(tickets.annotate(
        open_row=is_open, total=Window(Count("pk")),
        open_total=Window(Count("pk"), partition_by=[is_open]))
        .order_by(*(["-open_row"] if open_first else []), "-created_at", "-pk")
        .only("pk", "reference", "title", "status", "priority", "created_at",
              "organisation_id")[:limit])
    if not rows:
        return TicketList([], 0, 0)
    first = rows[0]
    open_count = first.open_total if first.open_row else 0
    return TicketList(rows, first.total, open_count)


def can_read_tickets(user, organisation_id) -> bool:
    return scope.can(user, "view", Ticket, organisation_id)


def tickets_about(user, *, ci=None, service=None, limit: int = RECORD_TICKETS
                  ) -> TicketList | None:
    """The tickets about a CI or a service that `user` may see (a requester: their own),
    open first, with counts; None when their role reads no tickets (the panel is then
    left out)."""
    record = ci or service
    if record is None or not can_read_tickets(user, record.organisation_id):
        return None
    if ci is not None and none_recorded(ci, "panel_tickets"):
        return TicketList([], 0, 0)
    about = {"ci": ci} if ci is not None else {"service": service}
    return _listed(Ticket.objects.visible_to(user).filter(**about), limit, open_first=True)


def other_open_tickets(ticket: Ticket, user, limit: int = OTHER_TICKETS) -> TicketList:
    """Other open tickets on the same CI or the same service, newest first, counted."""
    same = Q()
    if ticket.ci_id is not None:
        same |= Q(ci_id=ticket.ci_id)
    if ticket.service_id is not None:
        same |= Q(service_id=ticket.service_id)
    if not same:
        return TicketList([], 0, 0)
    tickets = Ticket.objects.visible_to(user).open().filter(same).exclude(pk=ticket.pk)
    return _listed(tickets, limit, open_first=False)


@dataclass
class Supported:
    """What else a ticket's CI supports: the business services and the CIs that depend
    on it, directly or through others (a few of each, and how many)."""

    services: list
    services_total: int
    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    @property
    def more_services(self) -> int:
        return self.services_total - len(self.services)


def _may_view(user, name: str, organisation_id) -> bool:
    return scope.can(user, "view", Ticket._meta.get_field(name).related_model, organisation_id)


def supported_by(ticket: Ticket, user) -> Supported | None:
    """What depends on the ticket's CI, transitively, whatever the redundancy: who else
    may be hit while it is broken (the CI's page says what stops). Two queries; None when
    there is no CI or the user cannot read the CMDB."""
    org = ticket.organisation_id
    if ticket.ci_id is None or not _may_view(user, "ci", org):
        return None
    services, services_total = ([], 0)
    if _may_view(user, "service", org):
        services, services_total = catalogue_queries.services_depending_on(
            ticket.ci_id, user, SUPPORTED)
    items, total = cmdb_queries.dependents_of(ticket.ci_id, user, SUPPORTED)
    return Supported(services, services_total, items, total)


# --- the panels on a CI's page ---------------------------------------------------------

def ci_annotations() -> dict:
    """For a CI page's own read of the item (core.queries.with_record_extras): whether any
    ticket is about it."""
    return {"panel_tickets": Exists(Ticket.objects.filter(ci=OuterRef("pk")))}


def ci_tickets_panel(item, user) -> dict | None:
    """The CI page's "Tickets" section: its tickets this person may see, open first."""
    found = tickets_about(user, ci=item)
    if found is None:
        return None
    return _panel(found, user, "configuration item", item, f"ci={item.pk}")


def service_tickets_panel(service, user) -> dict | None:
    """The service page's "Tickets" section, the same way."""
    found = tickets_about(user, service=service)
    if found is None:
        return None
    return _panel(found, user, "service", service, f"service={service.pk}")


def _panel(found: TicketList, user, noun: str, record, query: str) -> dict:
    sees_all = user.has_perm("servicedesk.view_all_tickets")
    works = sees_all or user.has_perm("servicedesk.work_tickets")
    # The queue lists open tickets: offered when some are not shown here.
    list_url = (f"{reverse('servicedesk:ticket_list')}?queue=all&{query}"
                if works and found.open > len([t for t in found.tickets if t.is_open]) else "")
    return {"tickets": found, "noun": noun, "name": record.name, "sees_all": sees_all,
            "list_url": list_url}


# --- the ticket page --------------------------------------------------------------------

@dataclass
class Link:
    label: str
    url: str  # empty when the reader may not open the record's page


def _link(ticket: Ticket, name: str, user, url_name: str) -> Link | None:
    if getattr(ticket, f"{name}_id") is None:
        return None
    text = getattr(ticket, f"{name}_label", None)
    if text is None:  # not annotated: read the record (one query)
        from borough.core.suggestions import label

        text = label(getattr(ticket, name))
    model = Ticket._meta.get_field(name).related_model
    may_open = scope.can(user, "view", model, ticket.organisation_id)
    return Link(text, reverse(url_name, args=[getattr(ticket, f"{name}_id")]) if may_open
                else "")


def ticket_page(ticket: Ticket, user) -> dict:
    """The ticket page's service and CI (links), what else the CI supports, and the other
    open tickets on the same CI or service: three queries with a CI, one with only a
    service, none with neither (the labels come with the ticket's own query)."""
    return {
        "ci": _link(ticket, "ci", user, "cmdb:configurationitem_detail"),
        "service": _link(ticket, "service", user, "catalogue:businessservice_detail"),
        "supported": supported_by(ticket, user),
        "others": other_open_tickets(ticket, user),
    }


# --- the portal's "which system?" ---------------------------------------------------------

# The ticket's CI and service read with it on the requester's pages (no query of their own).
REQUESTER_RELATED = ("ci", "service")


def system_in_words(ticket: Ticket) -> str:
    """The system the ticket is about as its requester reads it: by name only (no
    references, classes or "configuration items"), as the portal's "Which system?"
    offered it — the application, else the service, else the words they typed; "" when
    they did not know."""
    if ticket.ci_id is not None:
        return ticket.ci.name
    if ticket.service_id is not None:
        return ticket.service.name
    return (ticket.configuration_item or ticket.business_service or "").strip()


SOMETHING_ELSE, DONT_KNOW = "other", "unknown"


@dataclass(frozen=True)
class System:
    """A system a requester may choose, in plain words: its name only."""

    key: str  # "ci-12" or "service-4"
    name: str
    ci: object = None
    service: object = None


def portal_systems(organisation_id: int, service_unit_id: int | None) -> list[System]:
    """The systems offered to a requester: the live applications their service unit owns,
    then the live services of the catalogue, each name once (two queries). Read for them:
    a requester cannot open the CMDB or the catalogue, and sees only these names. An
    application that delivers exactly one of the live services names that service too."""
    services = catalogue_queries.live_services_of(organisation_id)
    applications = cmdb_queries.applications_of_unit(organisation_id, service_unit_id)
    delivered = catalogue_queries.delivering(organisation_id, [a.pk for a in applications])
    by_id = {s.pk: s for s in services}
    systems, seen = [], set()
    for app in applications:
        own = [by_id[pk] for pk in delivered.get(app.pk, ()) if pk in by_id]
        systems.append(System(f"ci-{app.pk}", app.name, ci=app,
                              service=own[0] if len(own) == 1 else None))
        seen.add(app.name.casefold())
    for service in services:
        if service.name.casefold() not in seen:
            systems.append(System(f"service-{service.pk}", service.name, service=service))
            seen.add(service.name.casefold())
    return systems
