"""SLA clocks, checked against an independent reference.

The reference below shares nothing with borough.core.business_time or the service desk:
it walks time one minute at a time and counts a minute when, in London local time, it is
08:30–17:00 on a Monday to Friday that is not an England bank holiday (listed by hand
from gov.uk/bank-holidays) and the ticket's status at that minute does not pause the
clock. The real services are driven through random events at random instants (with
time-machine) and must agree with it: across nights, weekends, bank holidays, both DST
changes of 2026 and pauses.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.core.models import Notification
from borough.servicedesk import presenters, queries, services, sla
from borough.servicedesk.models import EntryKind, Status, Ticket, TicketType, TimelineEntry

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MINUTE = timedelta(minutes=1)
OPENS, CLOSES = time(8, 30), time(17, 0)
ENGLAND_BANK_HOLIDAYS = {
    date(2025, 12, 25), date(2025, 12, 26),
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29),
}
PAUSED = {Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY}
STOPPED = {Status.RESOLVED, Status.CLOSED, Status.CANCELLED}


# --- the reference -----------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def is_working_minute(start: datetime) -> bool:
    local = start.astimezone(LONDON)
    return (local.weekday() < 5 and local.date() not in ENGLAND_BANK_HOLIDAYS
            and OPENS <= local.time() < CLOSES)


def status_at(history: list[tuple[datetime, str]], instant: datetime) -> str:
    """history: (instant, status from then on), in order, starting at creation."""
    current = history[0][1]
    for when, status in history:
        if when <= instant:
            current = status
    return current


def counts(history, minute: datetime) -> bool:
    return is_working_minute(minute) and status_at(history, minute) not in PAUSED | STOPPED


def reference_minutes(history, until: datetime) -> int:
    """Working, unpaused minutes from creation up to `until`."""
    total, minute = 0, history[0][0]
    while minute < until:
        total += counts(history, minute)
        minute += MINUTE
    return total


def reference_due(history, target: int) -> datetime:
    """The instant the count reaches `target`, the last status carrying on for ever."""
    total, minute = 0, history[0][0]
    while True:
        if counts(history, minute):
            total += 1
            if total == target:
                return minute + MINUTE
        minute += MINUTE


def test_the_reference_knows_the_calendar():
    """Hand-checked values, so the reference itself is trusted."""
    def minutes(start, end):
        return reference_minutes([(start, Status.NEW)], end)

    friday_4pm = datetime(2026, 6, 5, 15, 0, tzinfo=UTC)  # 16:00 BST
    monday_930 = datetime(2026, 6, 8, 8, 30, tzinfo=UTC)  # 09:30 BST
    assert minutes(friday_4pm, monday_930) == 60 + 60
    # Easter 2026: Thursday 2 April 16:00 BST to Tuesday 7 April 09:30 BST is 60 + 60 minutes.
    assert minutes(datetime(2026, 4, 2, 15, 0, tzinfo=UTC),
                   datetime(2026, 4, 7, 8, 30, tzinfo=UTC)) == 120
    # Clocks go forward on Sunday 29 March: 08:30 London is 08:30 UTC on Friday 27th
    # and 07:30 UTC on Monday 30th.
    assert is_working_minute(datetime(2026, 3, 27, 8, 30, tzinfo=UTC))
    assert not is_working_minute(datetime(2026, 3, 27, 7, 30, tzinfo=UTC))
    assert is_working_minute(datetime(2026, 3, 30, 7, 30, tzinfo=UTC))
    assert not is_working_minute(datetime(2026, 3, 30, 16, 0, tzinfo=UTC))
    # And back on Sunday 25 October.
    assert is_working_minute(datetime(2026, 10, 23, 15, 59, tzinfo=UTC))
    assert not is_working_minute(datetime(2026, 10, 26, 7, 30, tzinfo=UTC))
    assert is_working_minute(datetime(2026, 10, 26, 16, 59, tzinfo=UTC))
    # Raised 08:00 BST, counted from 08:30, paused 10:00–11:00 BST, then running.
    history = [(datetime(2026, 6, 1, 7, 0, tzinfo=UTC), Status.NEW),
               (datetime(2026, 6, 1, 9, 0, tzinfo=UTC), Status.AWAITING_CUSTOMER),
               (datetime(2026, 6, 1, 10, 0, tzinfo=UTC), Status.IN_PROGRESS)]
    assert reference_minutes(history, datetime(2026, 6, 1, 11, 0, tzinfo=UTC)) == 90 + 60
    assert reference_due(history, 100) == datetime(2026, 6, 1, 10, 10, tzinfo=UTC)


# --- the services against the reference ----------------------------------------------------

# Starting points next to what makes clocks hard: both DST changes, Easter, the early
# May bank holiday, Christmas, and an ordinary week for contrast.
ANCHORS = [
    datetime(2026, 3, 26, 0, 0, tzinfo=UTC),
    datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 4, 30, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 22, 0, 0, tzinfo=UTC),
    datetime(2026, 12, 23, 0, 0, tzinfo=UTC),
    datetime(2026, 6, 3, 0, 0, tzinfo=UTC),
]
# impact, urgency -> priority: P1 (240 min), P2 (480) and P3 (1,530) in the desk fixture.
CELLS = [(1, 1), (1, 2), (2, 2)]

# Minutes between events: often short (within a working day), sometimes days.
gaps = st.one_of(st.integers(1, 180), st.integers(1, 2 * 24 * 60))
events = st.lists(st.tuples(gaps, st.sampled_from(["toggle", "toggle", "third-party",
                                                   "resolve"])), max_size=4)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(anchor=st.sampled_from(ANCHORS), offset=st.integers(0, 3 * 24 * 60),
       cell=st.sampled_from(CELLS), steps=events, check_gap=gaps)
def test_the_clock_agrees_with_the_minute_by_minute_reference(
    desk, anchor, offset, cell, steps, check_gap
):
    created = anchor + timedelta(minutes=offset)
    with time_machine.travel(created, tick=False):
        ticket = services.raise_ticket(
            desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT, title="Clock check",
            description="Property test.", requester=desk.requester_person, impact=cell[0], urgency=cell[1])
    policy = ticket.sla_policy
    history = [(created, Status.NEW)]
    now = created
    for gap, kind in steps:
        if history[-1][1] in STOPPED:
            break
        now += timedelta(minutes=gap)
        running = history[-1][1] not in PAUSED
        if kind == "resolve":
            status = Status.RESOLVED
        elif running:
            status = Status.AWAITING_CUSTOMER if kind == "toggle" else Status.AWAITING_THIRD_PARTY
        else:
            status = Status.IN_PROGRESS
        with time_machine.travel(now, tick=False):
            if status == Status.RESOLVED:
                services.resolve(ticket, actor=desk.agent, note="Done.")
            else:
                services.change_status(ticket, status=status, actor=desk.agent)
        history.append((now, status))
        ticket.refresh_from_db()
        assert ticket.status == status
        # A breach is recorded at the latest at the next change of status after it.
        used = reference_minutes(history, now)
        if used > policy.resolution_minutes:
            assert ticket.resolution_breached_at is not None, (used, history)
        elif used < policy.resolution_minutes:
            assert ticket.resolution_breached_at is None, (used, history)

    check = now + timedelta(minutes=check_gap)
    clock = queries.clock_for(ticket, policy)
    assert sla.elapsed(ticket, clock, check) == pytest.approx(
        reference_minutes(history, check), abs=1e-9), history

    last = history[-1][1]
    if last in STOPPED:
        assert ticket.resolved_at == history[-1][0]
        return
    if last in PAUSED:
        assert ticket.clock_paused_at == history[-1][0]
        return
    restarted = history[-1][0]
    for target, due in ((policy.resolution_minutes, ticket.resolution_due_at),
                        (policy.response_minutes, ticket.response_due_at)):
        if reference_minutes(history, restarted) < target:
            assert due == reference_due(history, target), (target, history)
        else:  # used up before the clock last started: due the moment it restarted
            assert due <= restarted


@pytest.mark.parametrize(("created", "impact_urgency", "resolution_due", "response_due"), [
    # P1 (30 / 240 minutes) raised at 16:45 on the Friday before the clocks go forward:
    # 15 minutes on Friday, the rest from 08:30 BST (07:30 UTC) on Monday.
    (datetime(2026, 3, 27, 16, 45, tzinfo=UTC), (1, 1),
     datetime(2026, 3, 30, 11, 15, tzinfo=UTC), datetime(2026, 3, 30, 7, 45, tzinfo=UTC)),
    # P2 (60 / 480) raised on Maundy Thursday at 16:00 BST: 60 minutes, then Tuesday.
    (datetime(2026, 4, 2, 15, 0, tzinfo=UTC), (1, 2),
     datetime(2026, 4, 7, 14, 30, tzinfo=UTC), datetime(2026, 4, 2, 16, 0, tzinfo=UTC)),
    # P1 on Friday 23 October 16:00 BST: 60 minutes, then Monday 08:30 GMT after the change.
    (datetime(2026, 10, 23, 15, 0, tzinfo=UTC), (1, 1),
     datetime(2026, 10, 26, 11, 30, tzinfo=UTC), datetime(2026, 10, 23, 15, 30, tzinfo=UTC)),
    # P2 on Christmas Eve 16:30 GMT: 30 minutes, then Tuesday 29th after both holidays.
    (datetime(2026, 12, 24, 16, 30, tzinfo=UTC), (1, 2),
     datetime(2026, 12, 29, 16, 0, tzinfo=UTC), datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
])
def test_due_times_across_dst_and_holidays_by_hand(desk, created, impact_urgency,
                                                     resolution_due, response_due):
    with time_machine.travel(created, tick=False):
        ticket = services.raise_ticket(
            desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT, title="Hand check",
            description="By hand.", requester=desk.requester_person, impact=impact_urgency[0],
            urgency=impact_urgency[1])
    assert ticket.resolution_due_at == resolution_due
    assert ticket.response_due_at == response_due


# --- warnings and breaches ---------------------------------------------------------------

MONDAY_9 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 BST on an ordinary Monday


def raise_p2(desk) -> Ticket:
    """P2: respond within 60 and resolve within 480 working minutes. Raised Monday 09:00
    BST, it is due at 17:00 BST the same day, with the 75% warning at 15:00."""
    with time_machine.travel(MONDAY_9, tick=False):
        ticket = services.raise_ticket(
            desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT, title="Payroll export fails",
            description="Every run.", requester=desk.requester_person, impact=1, urgency=2, team=desk.team,
            assignee=desk.agent)
    assert ticket.resolution_due_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert ticket.warning_due_at == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    return ticket


def at(hours: float) -> datetime:
    return MONDAY_9 + timedelta(hours=hours)


def sweep(when, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        return services.sweep_sla()


def sla_trail(ticket):
    entries = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.SLA)
    notes = Notification.objects.filter(event__startswith="sla-").order_by("event", "recipient")
    return ([e.body for e in entries], [(n.event, n.recipient.username) for n in notes])


def test_the_sweep_warns_then_records_the_breach_once_each(
    desk, django_capture_on_commit_callbacks
):
    ticket = raise_p2(desk)
    with time_machine.travel(at(0.25), tick=False):
        services.reply(ticket, body="Looking now.", actor=desk.agent)  # responded in time

    assert sweep(at(5.9), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 0}
    assert sweep(at(6.1), django_capture_on_commit_callbacks) == {"warnings": 1, "breaches": 0}
    assert sweep(at(6.5), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 0}
    assert sla_trail(ticket) == (
        ["75% of the resolution target used"],
        [("sla-warning", "agent"), ("sla-warning", "lead")],  # the assignee and the team lead
    )

    assert sweep(at(8.1), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 1}
    assert sweep(at(8.2), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 0}
    assert sweep(at(30), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 0}
    ticket.refresh_from_db()
    assert ticket.resolution_breached_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert ticket.response_breached_at is None
    assert sla_trail(ticket) == (
        ["75% of the resolution target used", "SLA resolution target breached"],
        [("sla-breach", "agent"), ("sla-breach", "lead"),
         ("sla-warning", "agent"), ("sla-warning", "lead")],
    )


def test_a_first_sweep_after_the_breach_reports_it_once_and_never_warns_later(
    desk, django_capture_on_commit_callbacks
):
    ticket = raise_p2(desk)
    assert sweep(at(26), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 2}
    for hours in (26.1, 27, 50):
        assert sweep(at(hours), django_capture_on_commit_callbacks) == {
            "warnings": 0, "breaches": 0}
    ticket.refresh_from_db()
    assert ticket.response_breached_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert sla_trail(ticket) == (
        ["SLA response and resolution target breached"],
        [("sla-breach", "agent"), ("sla-breach", "lead")],
    )


def test_a_paused_clock_neither_warns_nor_breaches(desk, django_capture_on_commit_callbacks):
    ticket = raise_p2(desk)
    with time_machine.travel(at(0.5), tick=False):
        services.reply(ticket, body="Can you send a screenshot?", actor=desk.agent)
        services.change_status(ticket, status=Status.AWAITING_CUSTOMER, actor=desk.agent)
    assert sweep(at(30), django_capture_on_commit_callbacks) == {"warnings": 0, "breaches": 0}
    assert sla_trail(ticket) == ([], [])


def test_a_recorded_breach_survives_a_lower_priority(desk, django_capture_on_commit_callbacks):
    ticket = raise_p2(desk)
    sweep(at(8.5), django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    breached = ticket.resolution_breached_at
    assert breached is not None
    with time_machine.travel(at(9), tick=False):
        ticket = services.change_priority(ticket, actor=desk.agent, impact=3, urgency=3,
                                          reason="Only one person affected")
    assert ticket.priority == 5 and ticket.sla_policy.resolution_minutes == 10200
    assert ticket.resolution_due_at > at(9)  # the new target is far off...
    assert ticket.resolution_breached_at == breached  # ...but the breach stays
    with time_machine.travel(at(9), tick=False):
        assert presenters.sla_state(ticket, at(9)).state == "breached"


def test_a_breach_is_caught_by_a_priority_change_even_without_a_sweep(desk):
    ticket = raise_p2(desk)
    with time_machine.travel(at(9), tick=False):
        ticket = services.change_priority(ticket, actor=desk.agent, impact=3, urgency=3)
    assert ticket.resolution_breached_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


def test_a_recorded_breach_survives_pause_resume_resolve_and_reopen(
    desk, django_capture_on_commit_callbacks
):
    ticket = raise_p2(desk)
    sweep(at(8.5), django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    breached = ticket.resolution_breached_at
    steps = [
        lambda t: services.change_status(t, status=Status.AWAITING_CUSTOMER, actor=desk.agent),
        lambda t: services.change_status(t, status=Status.IN_PROGRESS, actor=desk.agent),
        lambda t: services.resolve(t, actor=desk.agent, note="Fixed."),
        lambda t: services.reopen(t, actor=desk.requester, reason="Not fixed."),
        lambda t: services.resolve(t, actor=desk.agent, note="Fixed now."),
    ]
    for hour, step in enumerate(steps, start=9):
        with time_machine.travel(at(hour), tick=False):
            step(ticket)
        ticket.refresh_from_db()
        assert ticket.resolution_breached_at == breached
    assert presenters.sla_state(ticket, at(20)).label == "SLA breached"


def test_a_late_resolution_is_a_breach_even_without_a_sweep(desk):
    ticket = raise_p2(desk)
    with time_machine.travel(at(8.5), tick=False):
        ticket = services.resolve(ticket, actor=desk.agent, note="Fixed.")
    assert ticket.resolution_breached_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert ticket.response_breached_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_a_resolution_in_time_is_met(desk):
    ticket = raise_p2(desk)
    with time_machine.travel(at(0.5), tick=False):
        services.reply(ticket, body="On it.", actor=desk.agent)
    with time_machine.travel(at(7.9), tick=False):
        ticket = services.resolve(ticket, actor=desk.agent, note="Fixed.")
    assert ticket.resolution_breached_at is None and ticket.response_breached_at is None
    assert presenters.sla_state(ticket, at(30)).label == "SLA met"


def test_the_ticket_page_shows_time_left_and_at_risk(desk, client):
    ticket = raise_p2(desk)
    client.force_login(desk.agent)
    with time_machine.travel(at(1), tick=False):
        page = client.get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    assert "Within SLA" in page and "7 h 0 min left" in page
    with time_machine.travel(at(6.5), tick=False):
        page = client.get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    assert "SLA at risk" in page and "1 h 30 min left" in page
    # 17:15: due at 17:00, and no working minute has passed since, but it is late.
    with time_machine.travel(at(8.25), tick=False):
        page = client.get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    assert "SLA breached" in page and "SLA at risk" not in page
    with time_machine.travel(at(24.5), tick=False):  # 09:30 next morning
        client.force_login(desk.agent)  # sessions last a working day
        page = client.get(f"/service-desk/tickets/{ticket.pk}/").content.decode()
    assert "SLA breached" in page and "1 h 0 min overdue" in page
