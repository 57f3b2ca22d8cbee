"""Service desk statistics against hand-computed fixtures.

The desk works Monday to Friday, 08:30 to 17:00 UK time. The period is Monday
24 February to Sunday 16 March 2025 (GMT throughout, so UTC is local time); "now"
is Friday 14 March 2025, 12:00. Every expected number below is worked out by hand
in the comments next to the ticket that produces it.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from borough.core import roles
from borough.core.business_time import BusinessCalendar, WorkingTimeline, business_minutes_between
from borough.organisation.models import WorkingPeriod
from borough.servicedesk import queries, statistics
from borough.servicedesk.models import (
    Category,
    Channel,
    Satisfaction,
    SLAPolicy,
    Status,
    Ticket,
    TicketType,
)
from borough.servicedesk.services import save_ticket
from borough.servicedesk.statistics import Period, RankedValue, nearest_rank
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, TeamFactory, set_ticket_times

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
PERIOD = {"date_from": "2025-02-24", "date_to": "2025-03-16"}
URL = "/service-desk/statistics/"
_refs = itertools.count(1)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def working_week(org):
    """Monday to Friday, 08:30 to 17:00, and nothing else (the factory may have set it up)."""
    WorkingPeriod.objects.filter(organisation=org).exclude(
        weekday__lt=5, start=time(8, 30), end=time(17, 0)).delete()
    for weekday in range(5):
        WorkingPeriod.objects.get_or_create(organisation=org, weekday=weekday, start=time(8, 30),
                                            end=time(17, 0))


def make_ticket(org, requester, *, created, responded=None, resolved=None, status=None,
                priority=3, policy=True, breached=False, fcr=False, team=None, unit=None,
                category=None, channel=Channel.PORTAL) -> Ticket:
    """A ticket with exactly these timestamps (services would stamp them with now)."""
    if status is None:
        status = Status.RESOLVED if resolved else Status.IN_PROGRESS
    sla = SLAPolicy.objects.filter(organisation=org, priority=priority).first() if policy else None
    ticket = Ticket(
        organisation=org, reference=f"INC-{next(_refs):06d}", ticket_type=TicketType.INCIDENT,
        title="Test ticket", description="Made by the statistics tests.", requester=requester,
        status=status, priority=priority, sla_policy=sla,
        resolution_breached_at=(resolved or created) if breached else None,
        first_contact_resolution=fcr, team=team, service_unit=unit, category=category,
        channel=channel,
    )
    save_ticket(ticket)
    return set_ticket_times(ticket, created=created, responded=responded, resolved=resolved)


def rate(ticket, score: int, when: datetime):
    rating = Satisfaction.objects.create(organisation_id=ticket.organisation_id, ticket=ticket,
                                         score=score)
    Satisfaction.objects.filter(pk=rating.pk).update(created_at=when)


@pytest.fixture
def world(org_a, org_b):
    working_week(org_a)
    working_week(org_b)
    for org in (org_a, org_b):
        for priority in (1, 2, 3):
            SLAPolicy.objects.create(organisation=org, name=f"P{priority}", priority=priority,
                                     response_minutes=60, resolution_minutes=480)
    manager = make_member(org_a, roles.ICT_MANAGER, "manager")
    requester_user = make_member(org_a, roles.REQUESTER, "requester")
    person = PersonFactory(organisation=org_a, user=requester_user)
    desk = TeamFactory(organisation=org_a, name="Service Desk")
    infra = TeamFactory(organisation=org_a, name="Infrastructure")
    finance = ServiceUnitFactory(organisation=org_a, name="Finance")
    planning = ServiceUnitFactory(organisation=org_a, name="Planning")
    hardware = Category.objects.create(organisation=org_a, name="Hardware",
                                       ticket_type=TicketType.INCIDENT)
    laptop = Category.objects.create(organisation=org_a, name="Laptop", parent=hardware,
                                     ticket_type=TicketType.INCIDENT)
    software = Category.objects.create(organisation=org_a, name="Software",
                                       ticket_type=TicketType.INCIDENT)
    formula = Category.objects.create(organisation=org_a, name="=cmd|' /C calc'!A0",
                                      ticket_type=TicketType.INCIDENT)
    t = {}
    mk = make_ticket
    # Resolved in the period. Business minutes: to response / to resolution.
    # T1 Mon 24 Feb 09:00 -> 09:30 = 30 -> 11:00 = 120. P2, SLA met.
    t[1] = mk(org_a, person, created=at(24, 9, month=2), responded=at(24, 9, 30, month=2),
              resolved=at(24, 11, month=2), priority=2, team=desk, unit=finance, category=laptop)
    # T2 Tue 25 Feb 16:00 -> Wed 09:00 = 60 + 30 = 90 -> Wed 10:30 = 60 + 120 = 180. P2, breached.
    t[2] = mk(org_a, person, created=at(25, 16, month=2), responded=at(26, 9, month=2),
              resolved=at(26, 10, 30, month=2), priority=2, breached=True, team=desk,
              unit=finance, category=laptop)
    # T3 Fri 28 Feb 16:30 -> 16:45 = 15 -> Mon 3 Mar 09:30 = 30 + 60 = 90. P3, met.
    t[3] = mk(org_a, person, created=at(28, 16, 30, month=2), responded=at(28, 16, 45, month=2),
              resolved=at(3, 9, 30), priority=3, team=infra, unit=planning, category=software)
    # T4 Mon 3 Mar 10:00 -> 10:05 = 5 -> 10:20 = 20. P3, met, first contact (by phone).
    t[4] = mk(org_a, person, created=at(3, 10), responded=at(3, 10, 5), resolved=at(3, 10, 20),
              priority=3, fcr=True, channel=Channel.PHONE, team=infra, unit=planning,
              category=software)
    # T5 Sat 8 Mar 10:00 -> Mon 10 Mar 08:40 = 10 -> 12:30 = 240. P4 has no SLA policy.
    t[5] = mk(org_a, person, created=at(8, 10), responded=at(10, 8, 40), resolved=at(10, 12, 30),
              priority=4, team=desk, unit=finance, category=formula)
    # T10 logged before the period, Thu 20 Feb 09:00; responded 10:00 = 60; resolved Tue 25 Feb
    # 09:00 = Thu 480 + Fri 510 + Mon 510 + Tue 30 = 1530. P1, breached.
    t[10] = mk(org_a, person, created=at(20, 9, month=2), responded=at(20, 10, month=2),
               resolved=at(25, 9, month=2), priority=1, breached=True, team=infra,
               unit=planning, category=laptop)
    # Open now (Fri 14 Mar 12:00), by age.
    t[6] = mk(org_a, person, created=at(10, 9), team=desk, unit=finance,  # 4 days: 3 to 7
              category=laptop)
    t[7] = mk(org_a, person, created=at(14, 8), status=Status.NEW)  # 4 hours: under 1 day
    t[8] = mk(org_a, person, created=at(10, 9, month=1), status=Status.AWAITING_CUSTOMER,
              team=infra, unit=planning)  # 63 days: over 30 days; not opened in the period
    t[9] = mk(org_a, person, created=at(12, 11), team=desk, unit=planning)  # 2 days: 1 to 3
    # Outside the period altogether, and cancelled: counts nowhere.
    t[11] = mk(org_a, person, created=at(10, 9, month=2), responded=at(10, 9, 5, month=2),
               resolved=at(12, 9, month=2), status=Status.CLOSED, team=desk, unit=finance,
               category=software)
    mk(org_a, person, created=at(4, 9, year=2024), status=Status.CANCELLED)
    # Ratings given in the period: 5, 2 and 4 (mean 11 / 3 = 3.67); one before it.
    rate(t[1], 5, at(24, 12, month=2))
    rate(t[2], 2, at(26, 11, month=2))
    rate(t[4], 4, at(3, 11))
    rate(t[11], 1, at(12, 10, month=2))

    # Another council's tickets, all inside the period: never counted (SECURITY.md rule 2).
    other_person = PersonFactory(organisation=org_b)
    other_unit = ServiceUnitFactory(organisation=org_b, name="Eskmouth Housing")
    other_team = TeamFactory(organisation=org_b, name="Eskmouth Desk")
    secret = Category.objects.create(organisation=org_b, name="Eskmouth secret category",
                                     ticket_type=TicketType.INCIDENT)
    for day in (24, 25, 26, 27):
        other = mk(org_b, other_person, created=at(day, 9, month=2),
                   responded=at(day, 9, 1, month=2), resolved=at(day, 9, 2, month=2),
                   priority=1, fcr=True, team=other_team, unit=other_unit, category=secret)
        rate(other, 1, at(day, 10, month=2))
    mk(org_b, other_person, created=at(14, 9), team=other_team, unit=other_unit, category=secret)
    return type("World", (), {"org": org_a, "manager": manager, "requester": requester_user,
                              "desk": desk, "infra": infra, "finance": finance,
                              "planning": planning, "tickets": t, "other_unit": other_unit,
                              "other_team": other_team})


def compute(world, **filters):
    world.manager.active_organisation_id = world.org.pk
    return statistics.compute(world.manager, Period(date(2025, 2, 24), date(2025, 3, 16)),
                              now=NOW, **filters)


def values(stats, key, series=0):
    return list(stats.figure(key).chart.series[series].values)


pytestmark = pytest.mark.django_db


# --- the numbers -----------------------------------------------------------------------

def test_opened_and_resolved_per_iso_week(world):
    stats = compute(world)
    assert stats.figure("weekly").chart.x_labels == ("24 Feb 2025", "3 Mar 2025", "10 Mar 2025")
    # Opened: T1 T2 T3 | T4 T5 | T6 T9 T7.   Resolved: T1 T2 T10 | T3 T4 | T5.
    assert values(stats, "weekly", 0) == [3, 2, 3]
    assert values(stats, "weekly", 1) == [3, 2, 1]


def test_backlog_by_age_band(world):
    stats = compute(world)
    # Under 1 day: T7; 1-3: T9; 3-7: T6; 7-30: none; over 30: T8.
    assert values(stats, "backlog") == [1, 1, 1, 0, 1]


def test_sla_compliance_per_priority_per_month(world):
    chart = compute(world).figure("sla").chart
    assert chart.x_labels == ("Feb 2025", "Mar 2025")
    by_name = {s.name: list(s.values) for s in chart.series}
    # February: T10 P1 breached; T1 met and T2 breached at P2. March: T3 and T4 met at P3;
    # T5 (P4) has no SLA policy so is not measured.
    assert by_name["P1"] == [0.0, None]
    assert by_name["P2"] == [50.0, None]
    assert by_name["P3"] == [None, 100.0]
    assert by_name["P4"] == [None, None]
    assert by_name["All priorities"] == [33.3, 100.0]  # 1 of 3; 2 of 2
    assert by_name["Resolved with an SLA"] == [3, 2]


def test_first_contact_resolution_rate(world):
    stats = compute(world)
    assert values(stats, "fcr", 0) == [0.0, 33.3]  # Feb 0 of 3; Mar 1 (T4) of 3
    assert values(stats, "fcr", 1) == [0, 1]
    assert values(stats, "fcr", 2) == [3, 3]
    assert ("Resolved at first contact", "16.7% of 6 resolved") in stats.headlines


def minutes(stats) -> list[list]:
    """[means], [90th percentiles], [counts] in working minutes, to respond and resolve."""
    respond, resolve = stats.times
    return [[round(respond.mean, 1), round(resolve.mean, 1)], [respond.p90, resolve.p90],
            [respond.count, resolve.count]]


def test_mean_and_90th_percentile_business_minutes(world):
    stats = compute(world)
    # Respond: 30, 90, 15, 5, 10, 60 -> mean 210 / 6 = 35; sorted 5 10 15 30 60 90, rank
    # ceil(0.9 x 6) = 6 -> 90. Resolve: 120, 180, 90, 20, 240, 1530 -> mean 2180 / 6 = 363.3;
    # rank 6 -> 1530.
    assert minutes(stats) == [[35.0, 363.3], [90.0, 1530.0], [6, 6]]
    # Shown in working hours (a working day here is 8.5 hours).
    chart = stats.figure("times").chart
    assert [list(s.values) for s in chart.series] == [[0.6, 6.1], [1.5, 25.5], [6, 6]]
    assert chart.unit == "working hours"


def test_business_times_are_the_same_ranked_in_python(world, monkeypatch):
    """The 90th percentile without percentile_disc (SQLite's way) on every database."""
    monkeypatch.setattr(RankedValue, "vendors", ())
    assert minutes(compute(world)) == [[35.0, 363.3], [90.0, 1530.0], [6, 6]]


def test_satisfaction(world):
    stats = compute(world)
    assert values(stats, "satisfaction") == [0, 1, 0, 1, 1]
    assert ("Satisfaction", "3.67 out of 5 from 3 ratings") in stats.headlines


def test_top_categories(world):
    chart = compute(world).figure("categories").chart
    # Opened in the period: Laptop T1 T2 T6; no category T7 T9; Software T3 T4; =cmd T5.
    assert list(zip(chart.x_labels, chart.series[0].values, strict=True)) == [
        ("Hardware › Laptop", 3), ("No category", 2), ("Software", 2),
        ("=cmd|' /C calc'!A0", 1)]


def test_per_team_and_per_service_unit(world):
    stats = compute(world)
    teams = stats.figure("teams").chart
    assert teams.x_labels == ("Service Desk", "Infrastructure", "No team")
    # Service Desk: opened T1 T2 T5 T6 T9, resolved T1 T2 T5, open T6 T9, SLA T1 of T1 T2.
    # Infrastructure: opened T3 T4, resolved T3 T4 T10, open T8, SLA T3 T4 of T3 T4 T10.
    # No team: T7 opened and open.
    assert [list(s.values) for s in teams.series] == [
        [5, 2, 1], [3, 3, 0], [2, 1, 1], [50.0, 66.7, None]]
    units = stats.figure("service-units").chart
    assert units.x_labels == ("Finance", "Planning", "No service unit")
    # Finance: T1 T2 T5 T6. Planning: T3 T4 T9 opened, T3 T4 T10 resolved, T8 T9 open.
    assert [list(s.values) for s in units.series] == [
        [4, 3, 1], [3, 3, 0], [1, 2, 1], [50.0, 66.7, None]]


def test_headlines(world):
    headlines = dict(compute(world).headlines)
    assert headlines["Tickets opened"] == "8"
    assert headlines["Tickets resolved"] == "6"
    assert headlines["Open now"] == "4"
    assert headlines["Resolved within SLA"] == "60.0% of 5 with an SLA"
    assert headlines["Time to resolve"] == (
        "mean 6.1 working hours, 90th percentile 3.0 working days (6 tickets)")


def test_headlines_say_how_they_moved_since_the_period_before(world):
    stats = compute(world)
    # The 21 days before 24 Feb: 3 to 23 Feb, in which 2 of the world's tickets were logged.
    logged_before = Ticket.objects.filter(
        organisation=world.org, created_at__gte=at(3, 0, month=2),
        created_at__lt=at(24, 0, month=2)).count()
    assert logged_before == 2
    assert stats.changes["Tickets opened"] == "Up 6 on the previous 21 days, when it was 2"
    assert stats.changes["Satisfaction"] == "Up 2.67 on the previous 21 days, when it was 1.00"
    assert "Open now" not in stats.changes  # nothing before to set it against
    assert set(stats.changes) == {label for label, _ in stats.headlines} - {"Open now"}


def test_filter_by_service_unit_and_team(world):
    stats = compute(world, service_unit=world.finance)
    assert values(stats, "weekly", 0) == [2, 1, 1]  # T1 T2 | T5 | T6
    assert values(stats, "backlog") == [0, 0, 1, 0, 0]  # T6
    stats = compute(world, team=world.desk, service_unit=world.planning)
    assert values(stats, "weekly", 0) == [0, 0, 1]  # T9 only
    assert stats.figure("teams").chart.x_labels == ("Service Desk",)


def test_weeks_and_months_follow_uk_time_across_the_clock_change(world):
    org, person = world.org, world.tickets[1].requester
    # Clocks go forward at 01:00 GMT on Sunday 30 March 2025.
    make_ticket(org, person, created=datetime(2025, 3, 23, 23, 30, tzinfo=UTC))  # Sun GMT: out
    make_ticket(org, person, created=datetime(2025, 3, 30, 22, 30, tzinfo=UTC))  # Sun 23:30 BST
    make_ticket(org, person, created=datetime(2025, 3, 30, 23, 30, tzinfo=UTC),  # Mon 00:30 BST
                resolved=datetime(2025, 3, 31, 23, 30, tzinfo=UTC))  # Tue 1 Apr 00:30 BST
    make_ticket(org, person, created=datetime(2025, 4, 6, 23, 30, tzinfo=UTC))  # Mon 7 Apr: out
    world.manager.active_organisation_id = org.pk
    stats = statistics.compute(world.manager, Period(date(2025, 3, 24), date(2025, 4, 6)),
                               now=datetime(2025, 4, 10, tzinfo=UTC))
    assert values(stats, "weekly", 0) == [1, 1]
    assert stats.figure("fcr").chart.x_labels == ("Mar 2025", "Apr 2025")
    assert values(stats, "fcr", 2) == [0, 1]  # resolved in April, UK time


def test_nothing_to_count_gives_empty_charts_not_errors(world):
    world.manager.active_organisation_id = world.org.pk
    stats = statistics.compute(world.manager, Period(date(2020, 1, 6), date(2020, 1, 12)),
                               now=NOW)
    assert values(stats, "weekly", 0) == [0]
    assert not stats.figure("times").chart.has_data
    assert stats.figure("categories").chart.x_labels == ()
    assert dict(stats.headlines)["Satisfaction"] == "No ratings"


# --- the page --------------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
def test_page_shows_every_chart_with_its_table(world, client, django_assert_max_num_queries):
    client.force_login(world.manager)
    # 10 for the figures, 2 for availability (no service with a target here); the rest is
    # the page.
    with django_assert_max_num_queries(28):
        response = client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/static/borough/charts.css"' in html
    assert html.count('role="img"') == 9  # every figure has something to draw
    assert html.count('class="govuk-table borough-chart__table"') == 9
    for heading in ("Tickets opened and resolved per week", "Open tickets by age",
                    "Resolved within the SLA target, by priority and month",
                    "Resolved at first contact, by month", "Time to respond and to resolve",
                    "Satisfaction ratings", "Top 10 categories by tickets opened",
                    "Tickets by team", "Tickets by service unit"):
        assert f'<caption class="govuk-table__caption govuk-table__caption--s">{heading}' in html
    assert "nearest-rank" in html
    assert "25.5" in html and "6.1" in html  # working hours
    assert "mean 6.1 working hours, 90th percentile 3.0 working days" in html
    assert "=cmd|&#x27; /C calc&#x27;!A0" in html  # escaped, not run
    assert "Eskmouth" not in html
    assert ' style="' not in html  # CSP: style-src 'self'


@time_machine.travel(NOW, tick=False)
def test_default_period_is_the_last_13_weeks(world, client):
    client.force_login(world.manager)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # This week (from Monday 10 March) and the 12 before it.
    assert "16 Dec 2024 to 14 Mar 2025" in html
    assert 'value="2024-12-16"' in html and 'value="2025-03-14"' in html


def test_requester_gets_403_and_anonymous_is_sent_to_sign_in(world, client):
    client.force_login(world.requester)
    assert client.get(URL, PERIOD).status_code == 403
    assert client.get(URL + "export/csv/", PERIOD).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("params, message", [
    ({"date_from": "2025-03-16", "date_to": "2025-02-24"},
     "The end date must be the same as or after the start date."),
    ({"date_from": "2022-01-01", "date_to": "2025-01-01"}, "Choose a period of 2 years or less."),
    ({"date_from": "2025-02-30"}, "Enter the start date as a real date"),
    ({"date_from": "2025-02-24", "colour": "red"},
     "Unknown parameter colour. Filters here are: date_from, date_to, service_unit, team."),
])
def test_bad_filters_get_a_clear_message_and_400(world, client, params, message):
    client.force_login(world.manager)
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "govuk-error-summary" in html
    assert "<title>Error: " in html
    assert client.get(URL + "export/csv/", params).status_code == 400


def test_another_organisations_unit_or_team_is_refused(world, client):
    client.force_login(world.manager)
    response = client.get(URL, {**PERIOD, "service_unit": world.other_unit.pk})
    assert response.status_code == 400
    assert "Choose a service unit from the list." in response.content.decode()
    response = client.get(URL, {**PERIOD, "team": world.other_team.pk})
    assert "Choose a team from the list." in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_csv_export_has_every_table_and_neutralises_formulas(world, client):
    client.force_login(world.manager)
    response = client.get(reverse("servicedesk:statistics_export", args=["csv"]), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    headings = [row[0] for i, row in enumerate(rows)
                if len(row) == 1 and (i == 0 or not rows[i - 1])]
    assert headings == ["Summary", "Tickets opened and resolved per week", "Open tickets by age",
                        "Resolved within the SLA target, by priority and month",
                        "Resolved at first contact, by month", "Time to respond and to resolve",
                        "Satisfaction ratings", "Top 10 categories by tickets opened",
                        "Tickets by team", "Tickets by service unit",
                        "Availability against target"]  # availability's section, empty here
    assert ["24 Feb 2025", "3", "3"] in rows
    assert ["Time to resolve", "6.1", "25.5", "6"] in rows
    assert ["'=cmd|' /C calc'!A0", "1"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "Eskmouth" not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_xlsx_export_has_a_sheet_per_table(world, client):
    client.force_login(world.manager)
    response = client.get(reverse("servicedesk:statistics_export", args=["xlsx"]), PERIOD)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 11 and book.sheetnames[0] == "Summary"
    assert book.sheetnames[-1] == "Availability against target"
    assert all(len(name) <= 31 for name in book.sheetnames)
    categories = [list(row) for row in book[book.sheetnames[7]].iter_rows(values_only=True)]
    assert categories[0] == ["Category", "Opened (tickets)"]
    assert ["'=cmd|' /C calc'!A0", 1] in categories
    weekly = [list(row) for row in book[book.sheetnames[1]].iter_rows(values_only=True)]
    assert weekly[1] == ["24 Feb 2025", 3, 3]


# --- the maths -------------------------------------------------------------------------

def test_nearest_rank_percentile():
    assert nearest_rank(1, 90) == 1
    assert nearest_rank(10, 90) == 9  # ceil(9.0), not 10
    assert nearest_rank(5, 90) == 5  # ceil(4.5)
    assert nearest_rank(5, 30) == 2  # ceil(1.5)
    assert nearest_rank(0, 90) == 1


@pytest.mark.parametrize("minutes", [
    [7.0], [50.0, 15.0, 40.0, 20.0, 35.0], [float(n) for n in range(1, 11)],
    [float(n) for n in range(1, 21)], [3.5, 3.5, 3.5, 1.25, 99.0, 3.5, 0.0],
    # On and either side of the bands' edges (MINUTE_BANDS), and past the last one.
    [0.999, 1.0, 2.0, 3.999, 4.0, 8191.9, 8192.0, 20000.0, 0.5, 64.0],
    [8192.0, 9000.0, 8192.0, 1.0, 12000.5, 8500.0, 30000.0, 8192.0, 8191.0, 10000.0, 0.0],
])
@pytest.mark.parametrize("in_database", [True, False])
def test_percentile_by_nearest_rank_in_each_database(world, monkeypatch, minutes, in_database):
    """percentile_disc (PostgreSQL) and the ordered look-up (elsewhere) agree with the
    rank worked out by hand: sort, take position ceil(0.9 n)."""
    if not in_database:
        monkeypatch.setattr(RankedValue, "vendors", ())
    unit = ServiceUnitFactory(organisation=world.org, name="Leisure")
    person = world.tickets[1].requester
    for value in minutes:
        ticket = make_ticket(world.org, person, created=at(3, 9), responded=at(3, 9),
                             resolved=at(3, 10), unit=unit)
        ticket.minutes_to_resolve = ticket.minutes_to_respond = value
        save_ticket(ticket)
    expected = sorted(minutes)[nearest_rank(len(minutes), 90) - 1]
    respond, resolve = compute(world, service_unit=unit).times
    assert (respond.p90, resolve.p90) == (expected, expected)
    assert (respond.count, resolve.count) == (len(minutes), len(minutes))


def test_default_period_starts_on_the_monday_12_weeks_back():
    period = Period.default(date(2025, 3, 14))
    assert (period.date_from, period.date_to) == (date(2024, 12, 16), date(2025, 3, 14))
    assert len(period.weeks) == 13


CALENDARS = [
    BusinessCalendar.standard(),
    BusinessCalendar(tz="Europe/London", hours={0: ((time(0), time(1, 30)), (time(20), time(0))),
                                                2: ((time(1), time(3)),), 6: ((time(0), time(0)),)},
                     closed_dates=frozenset({date(2025, 3, 31)})),
]
_timelines: dict[int, WorkingTimeline] = {}
instants = st.datetimes(min_value=datetime(2025, 3, 20), max_value=datetime(2025, 11, 5),
                        timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(calendar=st.sampled_from(CALENDARS), a=instants, b=instants)
def test_working_timeline_equals_business_minutes_between(calendar, a, b):
    """Across both clock changes, bank holidays and night shifts, to the microsecond."""
    timeline = _timelines.get(id(calendar))
    if timeline is None:
        timeline = _timelines[id(calendar)] = WorkingTimeline(calendar, date(2025, 3, 20),
                                                              date(2025, 11, 5))
    assert timeline.minutes_between(a, b) == business_minutes_between(calendar, a, b)


def test_the_stamped_minutes_are_the_calendar_s(world):
    """Each resolved ticket carries the working minutes its calendar gives."""
    calendar = queries.calendar(world.org)
    checked = 0
    for ticket in Ticket.objects.filter(organisation=world.org, resolved_at__isnull=False):
        assert ticket.minutes_to_resolve == business_minutes_between(
            calendar, ticket.created_at, ticket.resolved_at)
        if ticket.responded_at is not None:
            assert ticket.minutes_to_respond == business_minutes_between(
                calendar, ticket.created_at, ticket.responded_at)
            checked += 1
    assert checked == 7


def test_working_timeline_falls_back_outside_its_range():
    calendar = BusinessCalendar.standard()
    timeline = WorkingTimeline(calendar, date(2025, 3, 3), date(2025, 3, 7))
    start, end = at(3, 9), at(14, 9)
    assert timeline.minutes_between(start, end) == business_minutes_between(calendar, start, end)
    assert timeline.minutes_between(end, start) == 0.0
    assert timeline.minutes_between(at(3, 9), at(3, 11)) == 120.0


def test_working_timeline_from_monday_nine_to_eleven_is_120_minutes():
    timeline = WorkingTimeline(BusinessCalendar.standard(), date(2025, 3, 1), date(2025, 3, 31))
    assert timeline.minutes_between(at(3, 9), at(3, 11)) == 120.0
    assert timeline.minutes_between(at(7, 16), at(10, 9)) == 60.0 + 30.0  # over a weekend


def test_managers_can_record_a_review_of_the_figures(world, client):
    review = reverse("standards:reportreview_add") + "?report=servicedesk-statistics"
    client.force_login(world.manager)
    assert review in client.get(URL).content.decode()
    client.force_login(make_member(world.manager.memberships.get().organisation, roles.AGENT,
                                   "agent"))
    page = client.get(URL)
    assert page.status_code == 200 and review not in page.content.decode()


# --- the API ---------------------------------------------------------------------------

API = "/api/servicedesk/statistics/"


def test_the_api_gives_the_page_s_figures_with_their_methods(world, api_client):
    api_client.force_login(world.manager)
    response = api_client.get(API, PERIOD)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["date_from"], data["date_to"]) == ("2025-02-24", "2025-03-16")
    assert (data["service_unit"], data["team"]) == (None, None)
    assert [f["key"] for f in data["figures"]] == [f.key for f in compute(world).figures]
    times = next(f for f in data["figures"] if f["key"] == "times")
    assert [s["values"] for s in times["series"]] == [[0.6, 6.1], [1.5, 25.5], [6, 6]]
    assert times["series"][0]["unit"] == "working hours"
    assert "nearest-rank" in times["method"]
    satisfaction = next(h for h in data["headlines"] if h["label"] == "Satisfaction")
    assert satisfaction["value"] == "3.67 out of 5 from 3 ratings"
    assert satisfaction["change"] == "Up 2.67 on the previous 21 days, when it was 1.00"


def test_the_api_narrows_to_a_service_unit_and_team(world, api_client):
    api_client.force_login(world.manager)
    data = api_client.get(API, {**PERIOD, "service_unit": world.finance.pk,
                                "team": world.desk.pk}).json()
    assert (data["service_unit"], data["team"]) == (world.finance.pk, world.desk.pk)
    opened = next(f for f in data["figures"] if f["key"] == "weekly")["series"][0]["values"]
    assert sum(opened) == 4  # T1, T2, T5 and T6: Finance tickets of the Service Desk team


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"date_from": "2025-03-16", "date_to": "2025-02-24"}, "date_to",
     "The end date must be the same as or after the start date."),
    ({"date_from": "2025-02-30"}, "date_from",
     "Enter the start date as a real date, like 2025-01-31."),
    ({"shoe_size": "9"}, "detail",
     "Unknown parameter shoe_size. Filters here are: date_from, date_to, service_unit, team."),
])
def test_the_api_refuses_bad_filters_with_the_page_s_messages(world, api_client, params, field,
                                                              message):
    api_client.force_login(world.manager)
    response = api_client.get(API, params)
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_the_api_refuses_another_organisation_s_unit(world, api_client):
    api_client.force_login(world.manager)
    response = api_client.get(API, {"service_unit": world.other_unit.pk})
    assert response.status_code == 400
    assert response.json()["service_unit"] == ["Choose a service unit from the list."]


def test_requesters_and_strangers_get_no_statistics_from_the_api(world, api_client):
    assert api_client.get(API).status_code in (401, 403)
    api_client.force_login(world.requester)
    response = api_client.get(API)
    assert response.status_code == 403
    assert "ICT managers" in str(response.json())


def test_a_team_the_manager_may_not_see_is_named_by_its_number(world):
    """Names come through visible_to: a ticket wrongly pointing at another council's team
    does not leak that team's name into the figures."""
    make_ticket(world.org, world.tickets[1].requester, created=at(3, 9), team=world.other_team)
    teams = compute(world).figure("teams").chart.x_labels
    assert f"Team {world.other_team.pk}" in teams
    assert "Eskmouth Desk" not in teams
