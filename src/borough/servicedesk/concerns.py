"""What a ticket concerns — its configuration item (cmdb) and business service
(catalogue) — read for the ticket page, the queue, the API, and the panels the service
desk adds to a CI's and a service's page (registered in entries.py, so neither app
imports the service desk). The CMDB and the catalogue are read through their queries.

Every list of tickets here starts from `Ticket.objects.visible_to(user)`: a requester
sees only their own tickets wherever the list is shown (SECURITY.md rule 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Value, When, Window
from django.urls import reverse

from borough.cmdb import queries as cmdb_queries
from borough.core import scope
from borough.servicedesk.models import OPEN_STATUSES, Ticket

OTHER_TICKETS = 5  # other open tickets on the ticket page
RECORD_TICKETS = 10  # tickets on a CI's or service's page
SUPPORTED = 10  # CIs named under "what else this CI supports"


def with_concern_labels(tickets):
    """Tickets with `ci_label` ("CI-000123 Payroll server"), as a scalar subquery: no join
    to plan, no query a row."""
    return tickets.annotate(ci_label=cmdb_queries.label_of("ci_id"))


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
        is_open=is_open, total=Window(Count("pk")),
        open_total=Window(Count("pk"), partition_by=[is_open]))
        .order_by(*(["-is_open"] if open_first else []), "-created_at", "-pk")
        .only("pk", "reference", "title", "status", "priority", "created_at",
              "organisation_id")[:limit])
    if not rows:
        return TicketList([], 0, 0)
    first = rows[0]
    open_count = first.open_total if first.is_open else 0
    return TicketList(rows, first.total, open_count)


def can_read_tickets(user, organisation_id) -> bool:
    return scope.can(user, "view", Ticket, organisation_id)


def tickets_about(user, *, ci=None, limit: int = RECORD_TICKETS) -> TicketList | None:
    """The tickets about a CI that `user` may see, open first, with counts; None when
    their role reads no tickets (the panel is then left out)."""
    record = ci
    if record is None or not can_read_tickets(user, record.organisation_id):
        return None
    return _listed(Ticket.objects.visible_to(user).filter(ci=record), limit, open_first=True)


def other_open_tickets(ticket: Ticket, user, limit: int = OTHER_TICKETS) -> TicketList:
    """Other open tickets on the same CI (or service), newest first, counted."""
    if ticket.ci_id is None:
        return TicketList([], 0, 0)
    tickets = (Ticket.objects.visible_to(user).open().filter(ci_id=ticket.ci_id)
               .exclude(pk=ticket.pk))
    return _listed(tickets, limit, open_first=False)


@dataclass
class Supported:
    """What else a ticket's CI supports: CIs that depend on it (a few, and how many)."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def supported_by(ticket: Ticket, user) -> Supported | None:
    """What depends on the ticket's CI, transitively: who else may be hit while it is
    broken. None when there is no CI or the user cannot read the CMDB."""
    if ticket.ci_id is None or not scope.can(user, "view", Ticket.ci.field.related_model,
                                             ticket.organisation_id):
        return None
    items, total = cmdb_queries.dependents_of(ticket.ci_id, user, SUPPORTED)
    return Supported(items, total)


# --- the panels on a CI's page ---------------------------------------------------------

def ci_tickets_panel(item, user) -> dict | None:
    """The CI page's "Tickets" section: its tickets this person may see, open first."""
    found = tickets_about(user, ci=item)
    if found is None:
        return None
    return _panel(found, user, "configuration item", item, f"ci={item.pk}")


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
    open tickets on the same CI: two queries when there is a CI, none when there is not."""
    return {
        "ci": _link(ticket, "ci", user, "cmdb:configurationitem_detail"),
        "supported": supported_by(ticket, user),
        "others": other_open_tickets(ticket, user),
    }
