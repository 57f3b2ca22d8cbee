"""Availability in the service desk statistics: each live service with a target or an
agreed SLA, over the statistics' period, against its target, with its outages, MTBF and
MTRS; on the page (a table and a chart with its data), in the CSV and XLSX exports and
in the API; narrowed by service unit and team; another council's services never shown.

April 2026 (30 days, 43,200 minutes round the clock), now 1 June 2026."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from borough.availability import queries
from borough.catalogue.models import AgreementStatus, ServiceHours, ServiceStatus
from borough.core import roles
from tests.availability.factories import OutageFactory
from tests.catalogue.factories import BusinessServiceFactory, ServiceLevelAgreementFactory
from tests.factories import ServiceUnitFactory, TeamFactory

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
APRIL = datetime(2026, 4, 1, tzinfo=UTC) - H  # midnight, 1 April, London (BST)
NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
PERIOD = {"date_from": "2026-04-01", "date_to": "2026-04-30"}
URL = "/service-desk/statistics/"
API = "/api/servicedesk/statistics/"


@pytest.fixture
def world(org_a, org_b, member):
    unit = ServiceUnitFactory(organisation=org_a, name="Revenues")
    team = TeamFactory(organisation=org_a, name="Applications")
    # Its own target, round the clock: one 2-hour outage. 43,080 / 43,200 = 99.722%.
    benefits = BusinessServiceFactory(organisation=org_a, name="Benefits",
                                      service_hours=ServiceHours.ALWAYS,
                                      availability_target=Decimal("99.50"),
                                      service_unit=unit, support_team=team)
    OutageFactory(organisation=org_a, service=benefits, started_at=APRIL + 50 * H,
                  ended_at=APRIL + 52 * H)
    # Its agreed SLA's hours (24x7, not the service's working hours) and target (99.9,
    # not the service's 99.5): 3 hours and 1 hour down, 2 outages. 42,960 / 43,200 =
    # 99.444%, missed; MTRS 240 / 2 = 120 minutes; MTBF 42,960 / 2 = 21,480 minutes.
    tax = BusinessServiceFactory(organisation=org_a, name="Council tax",
                                 service_hours=ServiceHours.BUSINESS)
    ServiceLevelAgreementFactory(organisation=org_a, service=tax, status=AgreementStatus.AGREED,
                                 service_hours=ServiceHours.ALWAYS,
                                 availability_target=Decimal("99.90"))
    OutageFactory(organisation=org_a, service=tax, started_at=APRIL + 100 * H,
                  ended_at=APRIL + 103 * H)
    OutageFactory(organisation=org_a, service=tax, started_at=APRIL + 300 * H,
                  ended_at=APRIL + 301 * H)
    # Neither a target nor an agreed SLA (a draft one does not count), and a retired
    # service: not measured.
    untargeted = BusinessServiceFactory(organisation=org_a, name="Intranet",
                                        availability_target=None)
    ServiceLevelAgreementFactory(organisation=org_a, service=untargeted)
    BusinessServiceFactory(organisation=org_a, name="Old payroll", status=ServiceStatus.RETIRED)
    # Another council's service with a target and an outage.
    eskmouth = BusinessServiceFactory(organisation=org_b, name="Eskmouth parking")
    OutageFactory(organisation=org_b, service=eskmouth, started_at=APRIL + 50 * H,
                  ended_at=APRIL + 60 * H)
    return type("World", (), {"org": org_a, "manager": member(roles.ICT_MANAGER),
                              "agent": member(roles.AGENT),
                              "requester": member(roles.REQUESTER), "unit": unit,
                              "team": team, "benefits": benefits, "tax": tax})


def test_each_targeted_service_against_its_target_over_the_period(world):
    start, end = APRIL, APRIL + 30 * 24 * H
    found = queries.period_availability(world.manager, start, end, now=NOW)
    assert [t.service.name for t in found] == ["Benefits", "Council tax"]
    benefits, tax = (t.figures for t in found)
    assert benefits.service_minutes == 43200 and benefits.downtime_minutes == 120
    assert benefits.availability == pytest.approx(100 * 43080 / 43200)
    assert benefits.met is True and benefits.failures == 1 and benefits.complete
    assert found[0].agreement is None
    assert found[1].agreement.service_id == world.tax.pk
    assert tax.target == Decimal("99.90") and tax.service_minutes == 43200
    assert tax.availability == pytest.approx(100 * 42960 / 43200) and tax.met is False
    assert (tax.failures, tax.mtrs_minutes, tax.mtbf_minutes) == (2, 120, 21480)


def test_a_period_still_running_is_measured_until_now(world):
    """A period of April's first three days, asked at 06:00 on 3 April (local)."""
    now = APRIL + 54 * H
    [benefits, tax] = queries.period_availability(world.manager, APRIL, APRIL + 72 * H,
                                                  now=now)
    assert benefits.figures.service_minutes == 54 * 60 and not benefits.figures.complete
    assert benefits.figures.downtime_minutes == 120
    assert tax.figures.failures == 0 and tax.figures.mtbf_minutes is None


def test_narrowed_to_the_service_unit_and_team(world):
    end = APRIL + 30 * 24 * H
    by_unit = queries.period_availability(world.manager, APRIL, end, service_unit=world.unit,
                                          now=NOW)
    by_team = queries.period_availability(world.manager, APRIL, end, team=world.team, now=NOW)
    assert [t.service.name for t in by_unit] == [t.service.name for t in by_team] == ["Benefits"]


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_the_table_and_the_chart_with_its_data(world, signed_in):
    response = signed_in(world.manager).get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figure-availability"' in html and 'href="#figure-availability"' in html
    assert "Availability of each service against its target in the period" in html
    assert "99.72%" in html and "99.44%" in html and "99.90%" in html
    assert "Missed" in html and "Met" in html
    assert "2 h 00 min" in html and "358 h 00 min" in html  # MTRS; MTBF 21,480 minutes
    assert 'id="chart-availability"' in html
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Availability by ' \
           'service against target' in html
    assert "Intranet" not in html and "Old payroll" not in html and "Eskmouth" not in html
    assert ' style="' not in html
    # The agent sees the statistics, and so this section.
    assert "99.72%" in signed_in(world.agent).get(URL, PERIOD).content.decode()


@time_machine.travel(NOW, tick=False)
def test_with_no_service_to_measure_the_page_says_so(world, signed_in):
    other = ServiceUnitFactory(organisation=world.org, name="Planning")
    response = signed_in(world.manager).get(URL, {**PERIOD, "service_unit": other.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert ("No live service of the service unit or team chosen has an availability target"
            in html)
    assert 'id="chart-availability"' not in html


@time_machine.travel(NOW, tick=False)
def test_the_exports_carry_the_section(world, signed_in):
    client = signed_in(world.manager)
    response = client.get(reverse("servicedesk:statistics_export", args=["csv"]), PERIOD)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    at = rows.index(["Availability against target"])
    assert rows[at + 1][:8] == ["Service", "Reference", "Measured under", "Service hours",
                                "Target (%)", "Availability (%)", "Met", "Outages"]
    benefits, tax = rows[at + 2], rows[at + 3]
    assert benefits[0] == "Benefits" and benefits[5:8] == ["99.722", "True", "1"]
    assert tax[0] == "Council tax" and tax[2].startswith("SLA-")
    assert tax[4:8] == ["99.9", "99.444", "False", "2"] and tax[10:12] == ["21480.0", "120.0"]
    assert "Eskmouth" not in response.content.decode()
    book = load_workbook(io.BytesIO(client.get(
        reverse("servicedesk:statistics_export", args=["xlsx"]), PERIOD).content))
    sheet = [list(r) for r in book["Availability against target"].iter_rows(values_only=True)]
    assert sheet[1][0] == "Benefits" and sheet[1][5] == pytest.approx(99.722)


@time_machine.travel(NOW, tick=False)
def test_the_api_gives_the_section(world, signed_in):
    api = signed_in(world.manager, api=True)
    data = api.get(API, PERIOD).json()
    [section] = data["sections"]
    assert section["key"] == "availability" and "MTBF" in section["method"]
    columns = section["columns"]
    rows = [dict(zip(columns, row, strict=True)) for row in section["rows"]]
    assert [r["Service"] for r in rows] == ["Benefits", "Council tax"]
    assert rows[1]["Met"] is False and rows[1]["MTRS (minutes)"] == 120
    assert rows[0]["Whole period"] is True
    narrowed = api.get(API, {**PERIOD, "team": world.team.pk}).json()
    assert [r[0] for r in narrowed["sections"][0]["rows"]] == ["Benefits"]
    assert signed_in(world.requester, api=True).get(API, PERIOD).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_printed_agreement_has_availability_against_its_target(world, signed_in,
                                                                   monkeypatch):
    """The SLA's PDF carries its service's months against the agreement's target, in the
    agreement's hours (read from the HTML WeasyPrint is given)."""
    from borough.core import pdf

    drawn = {}

    def render(html, **_kwargs):
        drawn["html"] = html
        return b"%PDF-1.7 test"

    monkeypatch.setattr(pdf, "available", lambda: True)
    monkeypatch.setattr(pdf, "render", render)
    agreement = world.tax.agreements.get()
    response = signed_in(world.manager).get(
        reverse("catalogue:servicelevelagreement_pdf", args=[agreement.pk]))
    assert response.status_code == 200
    html = drawn["html"]
    assert "Availability against target" in html and "against a target of 99.90%" in html
    assert "Apr 2026" in html and "99.44%" in html and "Missed" in html
    assert "Jun 2026 (so far)" in html
