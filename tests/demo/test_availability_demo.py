"""The availability demo: written through the services (after the CMDB, catalogue and
changes demos), so it must satisfy their rules; a month with the benefits system's
outage from its major incident, a planned outage from a change, and a year of
availability for every live service."""

from datetime import date

import pytest
from django.utils import timezone

from borough.availability import models as m
from borough.availability import queries
from borough.catalogue.models import BusinessService, ServiceStatus
from borough.demo import availability as demo
from borough.demo import catalogue, cmdb, organisations
from borough.demo import changes as changes_demo
from borough.demo import releases as releases_demo


@pytest.mark.django_db
def test_copeland_gets_a_year_of_availability_and_the_benefits_outage():
    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    changes_demo.load()
    releases_demo.load()
    counts = demo.load()
    assert counts["cbc"] > 20
    assert demo.load() == {}, "safe to run again"

    benefits = m.Outage.objects.get(source=m.Source.MAJOR_INCIDENT)
    assert benefits.service.name == "Benefits" and benefits.ticket.is_major_incident
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    assert timezone.localtime(benefits.started_at).date().replace(day=1) == last_month
    assert benefits.ticket.resolved_at == benefits.ended_at
    planned = m.Outage.objects.filter(source=m.Source.CHANGE)
    assert planned.exists() and all(o.kind == m.Kind.PLANNED for o in planned)

    keeper = organisations.copeland_keeper()[1]
    live = BusinessService.objects.filter(organisation=benefits.organisation,
                                          status=ServiceStatus.LIVE)
    months = queries.last_months(today, 12)
    found = queries.availability(live, keeper, months)
    assert len(found) == live.count() > 5
    for row in found:
        assert len(row.months) == 12
        assert all(f.availability is not None for _m, f in row.months)
    figures = queries.month_availability(benefits.service, keeper, last_month)
    assert figures.failures >= 1 and figures.downtime_minutes >= 205
    assert isinstance(last_month, date)
