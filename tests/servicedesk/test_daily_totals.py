"""The daily totals behind the statistics (daily.py) follow every change to a ticket.

Every test that touches the database also checks, on the way out, that the totals are
what the tickets add up to (tests/conftest.py); these tests pin down where a ticket
counts as it moves, and the cases that check cannot see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from borough.servicedesk import daily, services
from borough.servicedesk.models import NO_RECORD, DailyOpened, DailyResolved, Ticket
from tests.factories import OrganisationFactory, ServiceUnitFactory, TeamFactory
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db

# 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
SUMMER_NIGHT = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)


def raise_one(desk, **extra):
    return services.raise_ticket(
        desk.org.pk, actor=desk.agent, ticket_type="incident", title="Printer jammed",
        description="Every page.", requester=desk.requester_person, channel="phone", **extra)


def opened(org):
    return sorted(DailyOpened.objects.filter(organisation=org, tickets__gt=0)
                  .values_list("day", "team_pk", "tickets"))


def resolved(org):
    return sorted(DailyResolved.objects.filter(organisation=org, tickets__gt=0).values_list(
        "day", "team_pk", "priority", "tickets", "responded", "respond_seconds",
        "resolve_seconds"))


def test_a_ticket_counts_on_the_day_it_was_logged_in_uk_time(desk):
    with time_machine.travel(SUMMER_NIGHT, tick=False):
        raise_one(desk)
    assert opened(desk.org) == [(datetime(2025, 7, 1).date(), NO_RECORD, 1)]
    assert resolved(desk.org) == []


def test_assignment_moves_the_ticket_to_its_new_team(desk):
    with time_machine.travel(SUMMER_NIGHT, tick=False):
        ticket = raise_one(desk)
        services.assign(ticket, actor=desk.agent, team=desk.team)
    assert opened(desk.org) == [(datetime(2025, 7, 1).date(), desk.team.pk, 1)]


def test_resolving_reopening_and_resolving_again(desk):
    monday = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        ticket = raise_one(desk, team=desk.team)
    with time_machine.travel(datetime(2025, 3, 3, 9, 30, tzinfo=UTC), tick=False):
        services.resolve(ticket, actor=desk.agent, note="Cleared the jam.")
    thirty_minutes = 30 * 60
    assert resolved(desk.org) == [(monday.date(), desk.team.pk, ticket.priority, 1, 1,
                                   thirty_minutes, thirty_minutes)]
    with time_machine.travel(datetime(2025, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        services.reopen(ticket, actor=desk.requester, reason="It jammed again.")
    assert resolved(desk.org) == []
    with time_machine.travel(datetime(2025, 3, 5, 9, 0, tzinfo=UTC), tick=False):
        services.resolve(ticket, actor=desk.agent, note="New roller.")
    # Logged Monday 09:00, resolved again Wednesday 09:00, in office hours of 08:30 to
    # 17:00: Monday 8 hours, Tuesday 8.5, Wednesday 0.5.
    resolve_seconds = (8 + 8.5 + 0.5) * 3600
    assert resolved(desk.org) == [(datetime(2025, 3, 5).date(), desk.team.pk, ticket.priority,
                                   1, 1, thirty_minutes, resolve_seconds)]
    assert opened(desk.org) == [(monday.date(), desk.team.pk, 1)]
    row = DailyResolved.objects.get(tickets=1)
    # 30 minutes is in the band [16, 32); 1,020 minutes in [512, 1024).
    assert [getattr(row, f"respond_in_{b}") for b in daily.BANDS].index(1) == 5
    assert [getattr(row, f"resolve_in_{b}") for b in daily.BANDS].index(1) == 10
    assert sum(getattr(row, f"resolve_in_{b}") for b in daily.BANDS) == 1


def test_a_new_priority_moves_a_resolved_ticket(desk):
    ticket = raise_one(desk, impact=3, urgency=3)
    services.resolve(ticket, actor=desk.agent, note="Done.")
    before = resolved(desk.org)[0][2]
    services.change_priority(ticket, actor=desk.agent, impact=1, urgency=1, reason="Board paper.")
    after = Ticket.objects.get(pk=ticket.pk).priority
    assert after != before
    assert [row[2] for row in resolved(desk.org)] == [after]


def test_editing_a_tickets_details_moves_it_between_units(desk):
    ticket = raise_one(desk)
    unit = ServiceUnitFactory(organisation=desk.org, name="Revenues")
    services.update_ticket(ticket, actor=desk.agent, expected_version=ticket.version,
                           service_unit=unit)
    assert list(DailyOpened.objects.filter(organisation=desk.org, tickets__gt=0)
                .values_list("service_unit_pk", flat=True)) == [unit.pk]


def test_a_ticket_deleted_round_the_services_is_caught_by_the_daily_audit(desk):
    """Tickets are cancelled, never deleted; a row removed by hand (SQL, a restore) is
    found by the daily job, which rebuilds the totals."""
    ticket = raise_one(desk)
    services.resolve(ticket, actor=desk.agent, note="Done.")
    ticket.timeline.all().delete()
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert opened(desk.org) != []
    assert daily.audit() == {"differences": 2}
    assert opened(desk.org) == [] and resolved(desk.org) == []


def test_differences_names_a_total_that_drifted(desk):
    raise_one(desk)
    DailyOpened.objects.update(tickets=5)
    found = daily.differences()
    assert len(found) == 1 and "stored (5,), tickets add up to (1,)" in found[0]
    daily.rebuild()
    assert daily.differences() == []


def test_rebuilding_one_organisation_leaves_the_others_alone(desk):
    raise_one(desk)
    other = OrganisationFactory(name="Eskmouth District Council", code="edc")
    DailyOpened.objects.create(organisation=other, day=datetime(2025, 1, 6).date(), team_pk=0,
                               service_unit_pk=0, category_pk=0, tickets=0)
    DailyOpened.objects.filter(organisation=desk.org).update(tickets=9)
    assert daily.rebuild([desk.org.pk]) == (1, 0)
    assert opened(desk.org)[0][2] == 1
    assert DailyOpened.objects.filter(organisation=other).count() == 1


@pytest.mark.django_db(transaction=True)
def test_tickets_raised_at_the_same_moment_all_count(desk):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    results, errors = run_in_threads(lambda index: raise_one(desk).pk, 8)
    assert errors == []
    assert len(results) == 8
    assert sum(row[2] for row in opened(desk.org)) == 8


def test_requesters_never_read_the_totals(desk):
    raise_one(desk)
    assert not DailyOpened.objects.visible_to(desk.requester).exists()
    assert DailyOpened.objects.visible_to(desk.lead).exists()
    assert not DailyOpened.objects.visible_to(None).exists()


def test_the_command_checks_and_rebuilds(desk):
    from io import StringIO

    from django.core.management import CommandError, call_command

    raise_one(desk)
    out = StringIO()
    call_command("daily_totals", "check", stdout=out)
    assert "match the tickets" in out.getvalue()
    DailyOpened.objects.update(tickets=3)
    with pytest.raises(CommandError, match="1 daily totals differ"):
        call_command("daily_totals", "check", stdout=StringIO())
    with pytest.raises(CommandError, match="No organisation has the code 'nope'"):
        call_command("daily_totals", "rebuild", "--organisation", "nope", stdout=StringIO())
    out = StringIO()
    call_command("daily_totals", "rebuild", "--organisation", desk.org.code, stdout=out)
    assert "Rebuilt 1 days of tickets logged and 0 of tickets resolved." in out.getvalue()
    assert daily.differences() == []


@pytest.mark.django_db(transaction=True)
def test_opposite_moves_at_the_same_moment_do_not_deadlock(desk):
    """Two tickets logged the same day swap teams in two transactions at once: each
    takes one row out and puts one in, in the same order, so neither deadlocks."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    networks = TeamFactory(organisation=desk.org, name="Networks")
    first, second = raise_one(desk, team=desk.team), raise_one(desk, team=networks)
    moves = [(first, networks), (second, desk.team)] * 4
    results, errors = run_in_threads(
        lambda index: services.assign(moves[index][0], actor=desk.agent,
                                      team=moves[index][1]).team_id, len(moves))
    assert errors == []
    assert sorted(row[2] for row in opened(desk.org)) in ([2], [1, 1])


@pytest.mark.django_db(transaction=True)
def test_a_ticket_raised_during_a_rebuild_is_counted(desk, monkeypatch):
    """`borough daily_totals rebuild` on a live desk: a ticket raised while the tickets
    are being read waits for the rebuild, then adds itself to the rebuilt totals."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    import threading
    import time

    raise_one(desk)
    networks = TeamFactory(organisation=desk.org, name="Networks")  # a total not yet kept
    read_tickets = daily.totals_from_tickets
    reading = threading.Event()

    def slow_read(tickets):
        reading.set()
        time.sleep(0.5)  # long enough for the other save to reach the totals and wait
        return read_tickets(tickets)

    monkeypatch.setattr(daily, "totals_from_tickets", slow_read)
    raised, failed = [], []

    def raise_during_rebuild():
        try:
            reading.wait(5)
            raised.append(raise_one(desk, team=networks).pk)
        except Exception as exc:  # noqa: BLE001 - asserted below
            failed.append(exc)
        finally:
            connection.close()

    other = threading.Thread(target=raise_during_rebuild)
    other.start()
    daily.rebuild()
    other.join(10)
    assert (failed, len(raised)) == ([], 1)
    assert sorted(row[1:] for row in opened(desk.org)) == [(NO_RECORD, 1), (networks.pk, 1)]


def test_the_daily_job_repairs_totals_that_drifted_and_says_so(desk, caplog):
    from borough.core.registry import registry

    job, seconds = registry.periodic_jobs["servicedesk-daily-totals"]
    raise_one(desk)
    assert job() == {"differences": 0}
    DailyOpened.objects.update(tickets=4)
    assert job() == {"differences": 1}
    assert "differed from the tickets in 1 rows" in caplog.text
    assert opened(desk.org)[0][2] == 1 and seconds == 24 * 3600


def test_statistics_still_answer_when_the_bands_have_drifted(desk, caplog):
    """If the band counts disagree with the tickets (a write that went round the totals),
    the 90th percentile ranks all the period's tickets instead, and says so in the log."""
    from django.utils import timezone

    from borough.servicedesk import statistics

    ticket = raise_one(desk)
    services.resolve(ticket, actor=desk.agent, note="Done.")
    ticket.refresh_from_db()
    bands = {column: 0 for columns in daily.BAND_COLUMNS.values() for column in columns}
    DailyResolved.objects.update(**bands)
    stats = statistics.compute(desk.lead, statistics.Period.default(timezone.localdate()))
    p90 = list(stats.figure("times").chart.series[1].values)
    assert p90 == [round(ticket.minutes_to_respond, 1), round(ticket.minutes_to_resolve, 1)]
    assert "fewer than rank 1" in caplog.text
    daily.rebuild()


def test_the_command_checks_every_organisation_only(desk):
    from io import StringIO

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="check looks at every organisation"):
        call_command("daily_totals", "check", "--organisation", desk.org.code, stdout=StringIO())
