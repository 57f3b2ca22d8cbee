"""A write the database refuses because of someone else's change at the same moment is a
409 with a plain explanation, never a 500 (the services skip re-reading related records
they have just loaded; the foreign keys, checked at commit, still guard them)."""

from __future__ import annotations

import pytest
from django.db import connection

from borough.servicedesk.models import Category, Ticket, TicketType

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS = "/api/servicedesk/tickets/"


@pytest.fixture
def category_vanishes_on_save(desk, monkeypatch):
    """Someone deletes the category after the request loaded it, before the commit."""
    category = Category.objects.create(organisation=desk.org, name="Printers",
                                       ticket_type=TicketType.INCIDENT)
    real_save = Ticket.save

    def save(self, *args, **kwargs):
        if self._state.adding:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM servicedesk_category WHERE id = %s",
                               [category.pk])
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Ticket, "save", save)
    return category


def test_api_answers_409_and_saves_nothing(desk, api_client, category_vanishes_on_save):
    api_client.force_login(desk.agent)
    response = api_client.post(TICKETS, {
        "title": "Printer jammed", "description": "Every page.", "ticket_type": "incident",
        "requester": desk.requester_person.pk, "category": category_vanishes_on_save.pk,
    }, format="json")
    assert response.status_code == 409, response.content
    assert "changed or deleted by someone else" in response.json()["detail"]
    assert not Ticket.objects.exists()


def test_page_answers_409_and_saves_nothing(desk, client, category_vanishes_on_save):
    client.force_login(desk.agent)
    response = client.post("/service-desk/tickets/add/", {
        "ticket_type": "incident", "requester": desk.requester_person.full_name,
        "title": "Printer jammed", "description": "Every page.", "channel": "phone",
        "impact": "3", "urgency": "3", "category": category_vanishes_on_save.pk,
    })
    assert response.status_code == 409
    assert "changed or deleted by someone else" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_409_page_has_the_normal_layout(desk, client, category_vanishes_on_save):
    client.force_login(desk.agent)
    response = client.post("/service-desk/tickets/add/", {
        "ticket_type": "incident", "requester": desk.requester_person.full_name,
        "title": "Printer jammed", "description": "Every page.", "channel": "phone",
        "impact": "3", "urgency": "3", "category": category_vanishes_on_save.pk,
    })
    page = response.content.decode()
    assert response.status_code == 409
    assert "<title>Sorry, your change was not saved" in page
    assert 'id="main-content"' in page and 'aria-label="Main navigation"' in page
    assert page.count("<h1") == 1


def test_an_htmx_action_refused_by_the_database_is_409(desk, client, monkeypatch):
    from django.db import IntegrityError

    from borough.servicedesk import services

    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                   requester=desk.requester_person, title="Printer jammed",
                                   description="Every page.")

    def refused(*args, **kwargs):
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(services.add_note, "body", refused)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/note/", {"body": "Rang back."},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "changed or deleted by someone else" in response.content.decode()
    assert not ticket.timeline.filter(body="Rang back.").exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers: there is no race to lose")
def test_two_simultaneous_submissions_with_one_key_make_one_ticket(desk, monkeypatch):
    """The second waits on the first's claim of the key, then returns the first's ticket."""
    import threading
    import time

    from django.db import connections

    from borough.servicedesk import services

    first_saving, results = threading.Event(), {}
    real_save = Ticket.save

    def slow_first_save(self, *args, **kwargs):
        if self._state.adding and threading.current_thread().name == "first":
            first_saving.set()
            time.sleep(0.5)  # the second claims the key meanwhile, and must wait for us
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Ticket, "save", slow_first_save)

    def submit(name):
        try:
            results[name] = services.raise_ticket(
                desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                requester=desk.requester_person, title="Printer jammed", description="Again.",
                idempotency_key="one-key").pk
        finally:
            connections.close_all()

    first = threading.Thread(target=submit, args=("first",), name="first")
    second = threading.Thread(target=submit, args=("second",), name="second")
    first.start()
    assert first_saving.wait(10)
    second.start()
    first.join(20)
    second.join(20)
    assert results["first"] == results["second"]
    assert Ticket.objects.count() == 1
