"""The capacity demo: two years of figures for the demo estate, forecast as the nightly
job would: FILE01's disk is forecast to fill within its horizon and has its capacity
problem; the website's visits peak in March."""

import datetime

import pytest
from django.utils import timezone

from borough.capacity import models as m
from borough.demo import capacity as demo
from borough.demo import catalogue, cmdb, organisations
from borough.problems.models import Origin, Problem


@pytest.mark.django_db
def test_copeland_gets_utilisation_and_the_file_servers_forecast_problem():
    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    counts = demo.load()
    assert counts["cbc"] > 20
    disk = m.Metric.objects.get(configuration_item__name=demo.FULL_SERVER,
                                name__startswith="disk")
    forecast = m.Forecast.objects.get(metric=disk)
    today = timezone.localdate()
    assert forecast.critical_on is not None
    assert today < forecast.critical_on <= today + datetime.timedelta(days=90)
    assert list(forecast.problem.cis.all()) == [disk.configuration_item]
    assert forecast.problem.origin == Origin.CAPACITY
    # The website's March peak is anticipated from the two Marches before.
    visits = m.Forecast.objects.get(metric__configuration_item__name=demo.WEBSITE)
    assert "yearly" in visits.components
    raised = Problem.objects.filter(origin=Origin.CAPACITY).count()
    assert demo.load() == {"cbc": 0}, "safe to run again"
    assert Problem.objects.filter(origin=Origin.CAPACITY).count() == raised


@pytest.mark.django_db
def test_sql01s_ping_records_yesterdays_outage_of_the_services_relying_on_it():
    from borough.availability import queries as availability
    from borough.availability.models import Outage, Source

    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    demo.load()
    up = m.Metric.objects.get(configuration_item__name=demo.UP_SERVER, name="up")
    assert up.kind == m.Kind.UP_DOWN
    outages = list(Outage.objects.filter(metric=up, source=Source.MONITORING))
    assert "Council Tax" in {o.service.name for o in outages}
    assert {o.ended_at - o.started_at for o in outages} == {datetime.timedelta(minutes=25)}
    (this_month,) = availability.component_availability(up, [timezone.localdate().replace(
        day=1)])
    assert this_month.down_minutes >= 25 and 99 < this_month.availability < 100
