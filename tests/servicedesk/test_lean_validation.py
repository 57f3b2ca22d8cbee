"""core.perf.validation.LeanValidation, as Ticket uses it: no query for what is known."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from borough.servicedesk.models import Ticket
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db


def new_ticket(desk, **fields) -> Ticket:
    return Ticket(organisation=desk.org, reference="INC-999999", title="Printer",
                  description="Jammed.", **({"requester": desk.requester_person} | fields))


def test_loaded_relations_are_not_looked_up_again(desk):
    ticket = new_ticket(desk, team=desk.team, assignee=desk.agent)
    with CaptureQueriesContext(connection) as captured:
        ticket.full_clean()
    assert captured.captured_queries == []


def test_an_id_without_its_record_is_still_checked(desk):
    ticket = new_ticket(desk)
    ticket.team_id = TeamFactory(organisation=desk.org).pk
    with CaptureQueriesContext(connection) as captured:
        ticket.full_clean()
    assert len(captured.captured_queries) == 1  # the team's existence
    ticket.team_id = 10**9
    with pytest.raises(ValidationError) as error:
        ticket.full_clean()
    assert "team" in error.value.message_dict


def test_a_record_whose_id_moved_on_is_checked_by_the_id(desk):
    ticket = new_ticket(desk, requester=PersonFactory(organisation=desk.org))
    ticket.requester_id = 10**9  # the loaded person no longer matches the key
    with pytest.raises(ValidationError) as error:
        ticket.full_clean()
    assert "requester" in error.value.message_dict


def test_the_declared_constraints_are_left_to_the_database(desk):
    ticket = new_ticket(desk, responded_at=timezone.now())  # no minutes_to_respond
    ticket.full_clean()  # not checked by a query...
    with pytest.raises(IntegrityError), transaction.atomic():
        ticket.save()  # ...but refused by the database
    constraints = [c.name for _, cs in ticket.get_constraints() for c in cs]
    assert "unique_ticket_ref" not in constraints
