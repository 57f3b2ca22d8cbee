"""Availability's evidence rules: met, not met, nothing to show, and as at a date (an
outage recorded after it does not count)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from borough.availability.evidence import RULES
from borough.availability.models import Outage
from borough.catalogue.models import (
    AgreementStatus,
    ServiceHours,
    ServiceLevelAgreement,
    ServiceStatus,
)
from tests.availability.factories import OutageFactory
from tests.catalogue.factories import BusinessServiceFactory, ServiceLevelAgreementFactory

pytestmark = pytest.mark.django_db
RULE = {r.name: r for r in RULES}
AS_OF = datetime(2026, 7, 15, 12, tzinfo=UTC)  # the period: April, May and June 2026
H = timedelta(hours=1)


def agreed(org, name, *, target="99.00", service_target="99.50", **fields):
    service = BusinessServiceFactory(organisation=org, name=name,
                                     service_hours=ServiceHours.ALWAYS,
                                     availability_target=service_target and
                                     Decimal(service_target))
    fields.setdefault("service_hours", ServiceHours.ALWAYS)
    ServiceLevelAgreementFactory(organisation=org, service=service, status=AgreementStatus.AGREED,
                                 availability_target=target and Decimal(target), **fields)
    return service


def test_availability_measured_against_target(org_a, org_b):
    rule = RULE["availability.measured-against-target"]
    result = rule.run(org_a, {}, AS_OF)
    assert not result.met and "nothing to show" in result.summary
    agreed(org_a, "Benefits")
    agreed(org_a, "Email", target=None)  # the service's own target stands in
    BusinessServiceFactory(organisation=org_a, name="Intranet", availability_target=None)
    agreed(org_b, "Payroll", target=None, service_target=None)  # another council's
    result = rule.run(org_a, {}, AS_OF)
    assert result.met, result.summary
    assert result.figures["services"] == 2
    assert result.figures["availability"]["Benefits"] == [100.0, 100.0, 100.0]

    agreed(org_a, "Planning", target=None, service_target=None)
    draft = BusinessServiceFactory(organisation=org_a, name="Waste", availability_target=None)
    ServiceLevelAgreementFactory(organisation=org_a, service=draft, availability_target=None)
    retired = agreed(org_a, "Old payroll", target=None, service_target=None)
    type(retired).objects.filter(pk=retired.pk).update(status=ServiceStatus.RETIRED)
    result = rule.run(org_a, {}, AS_OF)
    assert not result.met
    assert result.figures["without_target"] == ["Planning"]
    assert "1 have no availability target (Planning)" in result.summary
    assert rule.run(org_a, {"months": 0}, AS_OF).summary.startswith("This check cannot run")


def test_the_share_of_services_meeting_their_target(org_a):
    rule = RULE["availability.targets-met"]
    assert not rule.run(org_a, {}, AS_OF).met
    benefits = agreed(org_a, "Benefits", target="99.00")
    agreed(org_a, "Email", target="99.90")
    assert rule.run(org_a, {}, AS_OF).met
    # Eight hours down in May's 744 (98.9%): Benefits misses its 99% that month.
    may = datetime(2026, 5, 12, 8, tzinfo=UTC)
    down = OutageFactory(organisation=org_a, service=benefits, started_at=may,
                         ended_at=may + 8 * H)
    Outage.objects.filter(pk=down.pk).update(created_at=may + 9 * H)  # recorded then
    result = rule.run(org_a, {}, AS_OF)
    assert not result.met and result.figures["missed"] == ["Benefits"]
    assert result.figures["met_percent"] == 50.0
    assert "1 of 2 live services" in result.summary
    assert rule.run(org_a, {"share": 50}, AS_OF).met
    # Measured in the agreement's hours: on working hours (09:00-17:00 local down of
    # 08:30-17:00 on 19 working days) Benefits still misses.
    ServiceLevelAgreement.objects.filter(service=benefits).update(
        service_hours=ServiceHours.BUSINESS)
    figures = rule.run(org_a, {}, AS_OF).figures
    assert figures["missed"] == ["Benefits"]
    assert RULE["availability.measured-against-target"].run(org_a, {}, AS_OF).figures[
        "availability"]["Benefits"][1] == round(100 * (19 * 510 - 480) / (19 * 510), 3)
    # As at a date: an outage recorded after it is not counted.
    Outage.objects.filter(pk=down.pk).update(created_at=AS_OF + H)
    assert rule.run(org_a, {}, AS_OF).met
    # Planned downtime does not count against availability.
    Outage.objects.filter(pk=down.pk).update(created_at=AS_OF - H, kind="planned")
    assert rule.run(org_a, {}, AS_OF).met
