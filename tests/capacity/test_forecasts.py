"""The nightly forecast of metrics from their daily rollups (capacity.forecasts): a disk
filling up raises one capacity problem on its item, naming the services that depend on
it, and tells their owners, once until the forecast moves; flat metrics raise nothing;
the metric's page and API show the forecast."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from borough.capacity import forecasts
from borough.capacity import models as m
from borough.capacity.ingest import zone
from borough.capacity.stats import local_midnight
from borough.core import roles
from borough.core.models import Notification
from borough.problems.models import Origin, Problem, Status
from tests.capacity.factories import MetricFactory
from tests.catalogue.factories import ServiceComponentFactory
from tests.conftest import make_member
from tests.organisation.factories import PersonFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 1)


def daily(metric, values, today: datetime.date = TODAY) -> None:
    """One daily rollup per value, the last for the day before `today`."""
    first = today - datetime.timedelta(days=len(values))
    m.Rollup.objects.bulk_create(
        m.Rollup(metric=metric, period=m.Period.DAY,
                 start=local_midnight(first + datetime.timedelta(days=n), zone()), count=24,
                 total=v * 24, minimum=v - 1, mean=v - 0.5, maximum=v, p95=v)
        for n, v in enumerate(values))


@pytest.fixture
def disk(org_a):
    """A file server's disk at 70% and filling 0.5 points a day (with a little jitter):
    95% critical on the 50th day from yesterday's 70.2%,
    with the Planning service and its owner depending on it."""
    owner = PersonFactory(organisation=org_a, user=make_member(org_a, roles.ICT_MANAGER,
                                                               "server-owner"))
    metric = MetricFactory(organisation=org_a, name="disk_used /srv",
                           configuration_item__owner=owner, forecast_horizon_days=90)
    service_owner = PersonFactory(organisation=org_a, email="head@example.gov.uk")
    ServiceComponentFactory(organisation=org_a, configuration_item=metric.configuration_item,
                            service__name="Planning", service__owner=service_owner)
    daily(metric, [70.2 - 0.5 * (199 - n) + 0.15 * ((n * 7) % 5 - 2) for n in range(200)])
    return metric


def test_a_filling_disk_raises_one_capacity_problem_and_tells_its_owners(
        disk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = forecasts.forecast_all(NOW)
    assert counts == {"metrics": 1, "forecasts": 1, "overloads": 1, "problems": 1}
    forecast = m.Forecast.objects.get(metric=disk)
    crossing = TODAY + datetime.timedelta(days=49)  # 70.2 + 0.5 × 50 on the 50th day
    assert abs((forecast.critical_on - crossing).days) <= 3
    assert forecast.critical_earliest <= crossing <= forecast.critical_latest
    assert forecast.figure == "maximum" and len(forecast.days) == 90
    assert forecast.backtest_days == 30 and forecast.backtest_coverage > 0.5
    problem = forecast.problem
    assert problem.origin == Origin.CAPACITY and problem.status == Status.LOGGED
    assert list(problem.cis.all()) == [disk.configuration_item]
    assert problem.service.name == "Planning" and "Planning" in problem.description
    assert "critical threshold" in problem.title
    told = Notification.objects.filter(event="capacity-overload").get()
    assert told.recipient.username == "server-owner" and problem.reference in told.subject
    # The next night: the problem is open, so nothing new.
    assert forecasts.forecast_all(NOW + datetime.timedelta(days=1))["problems"] == 0
    # Answered (closed), with the same crossing foreseen: still nothing.
    Problem.objects.filter(pk=problem.pk).update(status=Status.CLOSED)
    assert forecasts.forecast_all(NOW + datetime.timedelta(days=1))["problems"] == 0
    assert Problem.objects.count() == 1


def test_a_forecast_that_moves_after_its_problem_was_answered_raises_another(disk):
    forecasts.forecast_all(NOW)
    first = m.Forecast.objects.get(metric=disk).problem
    Problem.objects.filter(pk=first.pk).update(status=Status.RESOLVED)
    # The disk now fills twice as fast: the crossing comes weeks sooner.
    m.Rollup.objects.filter(metric=disk).delete()
    daily(disk, [75 - 1.0 * (100 - n) for n in range(100)])
    assert forecasts.forecast_all(NOW)["problems"] == 1
    assert Problem.objects.filter(origin=Origin.CAPACITY).count() == 2


def test_flat_metrics_are_forecast_without_alarm_and_short_ones_not_at_all(org_a):
    flat = MetricFactory(organisation=org_a, name="cpu_used")
    daily(flat, [40 + (n % 7) for n in range(120)])
    short = MetricFactory(organisation=org_a, name="memory_used")
    daily(short, [50] * 10)
    no_threshold = MetricFactory(organisation=org_a, name="visits", warning_threshold=None,
                                 critical_threshold=None)
    daily(no_threshold, [1000] * 60)
    counts = forecasts.forecast_all(NOW)
    assert counts == {"metrics": 2, "forecasts": 1, "overloads": 0, "problems": 0}
    assert m.Forecast.objects.get(metric=flat).critical_on is None
    assert not Problem.objects.exists()
    assert "capacity-forecasts" in __import__("borough.core.registry", fromlist=["registry"]
                                              ).registry.periodic_jobs


def test_the_metric_page_and_api_show_the_forecast_and_its_problem(disk, org_b, signed_in):
    forecasts.forecast_all(NOW)
    reader = make_member(disk.organisation, roles.ICT_MANAGER, "reader")
    page = signed_in(reader).get(reverse("capacity:metric_detail", args=[disk.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Forecast" in text
    assert "Expected on" in text and "How good it has been" in text
    problem = m.Forecast.objects.get(metric=disk).problem
    assert problem.reference in text
    api = signed_in(reader, api=True)
    found = api.get(f"/api/capacity/metrics/{disk.pk}/forecast/")
    assert found.status_code == 200 and len(found.json()["days"]) == 90
    assert found.json()["problem"] == problem.pk
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"), api=True)
    assert outsider.get(f"/api/capacity/metrics/{disk.pk}/forecast/").status_code == 404
    other = MetricFactory(organisation=disk.organisation, name="no forecast")
    assert api.get(f"/api/capacity/metrics/{other.pk}/forecast/").status_code == 404
    empty = signed_in(reader).get(reverse("capacity:metric_detail", args=[other.pk]))
    assert "No forecast yet" in empty.content.decode()
