"""Outages per service and the minutes lost (an independent count in the test), and the
evidence rule met and not met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from borough.core.registry import registry
from borough.status import queries, services
from borough.status.models import Kind, State
from tests.factories import AnnouncementFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, tzinfo=UTC)
END = datetime(2026, 7, 1, tzinfo=UTC)


def made(status, kind, starts, minutes, state=State.RESOLVED, services_=None):
    announcement = AnnouncementFactory(
        organisation=status.org, kind=kind, starts_at=starts, state=state,
        resolved_at=None if minutes is None else starts + timedelta(minutes=minutes))
    announcement.services.set(services_ or [status.email])
    return announcement


def test_minutes_lost_count_only_within_the_period(status):
    made(status, Kind.OUTAGE, START + timedelta(days=3), 90)
    made(status, Kind.OUTAGE, START - timedelta(minutes=30), 60)  # 30 inside
    made(status, Kind.OUTAGE, END - timedelta(minutes=20), 60)  # 20 inside
    made(status, Kind.DEGRADED, START + timedelta(days=5), 45, services_=[status.email,
                                                                          status.payroll])
    made(status, Kind.OUTAGE, START + timedelta(days=6), 500, state=State.CANCELLED)
    made(status, Kind.PLANNED, START + timedelta(days=7), 120)
    made(status, Kind.OUTAGE, END + timedelta(days=1), 10)  # after
    now = START + timedelta(days=10)
    made(status, Kind.OUTAGE, now - timedelta(minutes=15), None, state=State.OPEN,
         services_=[status.payroll])  # open: counts to now

    rows = {r.name: r for r in queries.outages_by_service(status.org.pk, START, END, now=now)}
    assert (rows["Email"].outages, rows["Email"].minutes_lost) == (3, 90 + 30 + 20)
    assert (rows["Email"].degraded, rows["Email"].minutes_degraded) == (1, 45)
    assert (rows["Payroll"].outages, rows["Payroll"].minutes_lost) == (1, 15)
    assert (rows["Payroll"].degraded, rows["Payroll"].minutes_degraded) == (1, 45)


def test_the_figures_page(status, signed_in):
    made(status, Kind.OUTAGE, datetime.now(UTC) - timedelta(days=1), 75)
    page = signed_in(status.agent).get(reverse("status:figures") + "?days=30")
    assert page.status_code == 200 and "75" in page.content.decode()
    assert signed_in(status.requester).get(reverse("status:figures")).status_code == 403


def test_the_evidence_rule_wants_major_incidents_announced(status):
    from tests.status.test_announcements import major_incident

    rule = registry.evidence_rules["status.outages-announced"]
    now = datetime.now(UTC) + timedelta(minutes=1)
    result = rule.run(status.org, {}, now)
    assert not result.met and result.figures["announcements"] == 0

    first = major_incident(status)
    second = major_incident(status)
    services.announce_outage(first, actor=status.agent)
    result = rule.run(status.org, {"target_percent": 80}, now)
    assert not result.met
    assert (result.figures["major_incidents"], result.figures["announced"]) == (2, 1)
    assert rule.run(status.org, {"target_percent": 50}, now).met
    services.announce_outage(second, actor=status.agent)
    assert rule.run(status.org, {}, now).met
    # As at a time before any of it: nothing counted.
    assert rule.run(status.org, {}, now - timedelta(days=1)).figures["announcements"] == 0
