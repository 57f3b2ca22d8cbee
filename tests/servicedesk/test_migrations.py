"""Migration 0004 fills the working minutes of tickets answered and resolved before it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from borough.organisation.models import DEFAULT_WORKING_HOURS
from borough.servicedesk.models import Ticket
from tests.migrating import database_at, made, migrate, organisation

BEFORE = ("servicedesk", "0003_satisfaction_by_organisation_created")
AFTER = ("servicedesk", "0004_working_minutes_to_respond_and_resolve")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # 09:00 GMT; office hours 08:30 to 17:00


def council(apps) -> tuple[int, int]:
    """An organisation with the default office hours and a person in it, as the models
    stood at that migration: (organisation id, person id)."""
    org = organisation(apps)
    for day, start, end in DEFAULT_WORKING_HOURS:
        made(apps, "organisation.WorkingPeriod", organisation_id=org, weekday=day, start=start,
             end=end)
    return org, made(apps, "organisation.Person", organisation_id=org, full_name="Ann Example")


@pytest.mark.django_db(transaction=True)
def test_existing_tickets_get_their_minutes_and_the_constraints_hold():
    with database_at(BEFORE) as old:
        org, person = council(old)
        OldTicket = old.get_model("servicedesk", "Ticket")
        common = {"organisation_id": org, "requester_id": person, "title": "Old",
                  "description": "From before the migration."}
        resolved = OldTicket.objects.create(
            reference="INC-000001", **common,
            responded_at=datetime(2025, 3, 3, 9, 45, tzinfo=UTC),
            resolved_at=datetime(2025, 3, 4, 10, 0, tzinfo=UTC))
        waiting = OldTicket.objects.create(reference="INC-000002", **common)
        OldTicket.objects.filter(pk__in=[resolved.pk, waiting.pk]).update(created_at=MONDAY)

        # The model as it stood then: today's has columns added since.
        Then = migrate(AFTER).get_model("servicedesk", "Ticket")

        resolved = Then.objects.get(pk=resolved.pk)
        assert resolved.minutes_to_respond == 45.0
        assert resolved.minutes_to_resolve == 8 * 60 + 90  # Monday 09:00 to 17:00, Tuesday 08:30 to 10:00
        waiting = Then.objects.get(pk=waiting.pk)
        assert (waiting.minutes_to_respond, waiting.minutes_to_resolve) == (None, None)
        # The constraints the minutes were filled for hold from here on.
        with pytest.raises(IntegrityError), transaction.atomic():
            Then.objects.filter(pk=resolved.pk).update(minutes_to_resolve=None)


@pytest.mark.django_db(transaction=True)
def test_daily_totals_count_the_tickets_from_before_them():
    with database_at(("servicedesk", "0005_statistics_covering_indexes")) as old:
        org, person = council(old)
        OldTicket = old.get_model("servicedesk", "Ticket")
        common = {"organisation_id": org, "requester_id": person, "title": "Old",
                  "description": "From before the daily totals.", "priority": 2}
        OldTicket.objects.create(reference="INC-000001", **common,
                                 resolved_at=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
                                 minutes_to_resolve=90.5)
        OldTicket.objects.create(reference="INC-000002", **common)
        OldTicket.objects.all().update(created_at=MONDAY)

        then = migrate(("servicedesk", "0006_daily_totals"))

        opened = then.get_model("servicedesk", "DailyOpened").objects
        resolved = then.get_model("servicedesk", "DailyResolved").objects
        assert list(opened.values_list("day", "tickets")) == [(MONDAY.date(), 2)]
        assert list(resolved.values_list("day", "priority", "tickets", "resolve_seconds")) == [
            (datetime(2025, 3, 4).date(), 2, 1, 5430)]


@pytest.mark.django_db
def test_the_ticket_table_is_vacuumed_sooner_on_postgresql():
    """Index-only reads of open tickets need the visibility map kept current (0009)."""
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum storage parameters are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s",
                       [Ticket._meta.db_table])
        options = set(cursor.fetchone()[0] or [])
    assert {"autovacuum_vacuum_scale_factor=0.02",
            "autovacuum_vacuum_insert_scale_factor=0.02",
            "autovacuum_analyze_scale_factor=0.02"} <= options
