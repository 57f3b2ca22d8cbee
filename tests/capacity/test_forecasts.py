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


# --- a proposed change instead of a problem ------------------------------------------------

def propose_changes(org):
    return m.CapacitySettings.objects.create(organisation=org,
                                             overload_action=m.OverloadAction.CHANGE)


def test_a_council_that_proposes_changes_gets_one_draft_change_until_the_forecast_moves(
        disk, org_a, django_capture_on_commit_callbacks):
    from borough.changes.models import Change, ChangeType
    from borough.changes.models import Origin as ChangeOrigin
    from borough.changes.models import Status as ChangeStatus
    from borough.core.models import AuditEvent

    propose_changes(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert forecasts.forecast_all(NOW)["problems"] == 1
    forecast = m.Forecast.objects.get(metric=disk)
    change = forecast.change
    assert forecast.problem is None and not Problem.objects.exists()
    assert (change.status, change.origin, change.change_type) == (
        ChangeStatus.DRAFT, ChangeOrigin.CAPACITY, ChangeType.NORMAL)
    assert list(change.configuration_items.all()) == [disk.configuration_item]
    assert [s.name for s in change.services.all()] == ["Planning"]
    assert change.owner == disk.configuration_item.owner
    assert "critical threshold" in change.title and "Planning" in change.reason
    assert AuditEvent.objects.filter(object_id=change.pk, action="create",
                                     note__contains="capacity forecast").exists()
    told = Notification.objects.filter(event="capacity-overload").get()
    assert change.reference in told.subject and told.recipient.username == "server-owner"
    # The next night: the change is still a draft, so nothing new.
    assert forecasts.forecast_all(NOW + datetime.timedelta(days=1))["problems"] == 0
    # Done with (closed) and the same crossing foreseen: still nothing.
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.CLOSED)
    assert forecasts.forecast_all(NOW + datetime.timedelta(days=1))["problems"] == 0
    # The disk now fills twice as fast: the crossing moves by weeks, a new change.
    m.Rollup.objects.filter(metric=disk).delete()
    daily(disk, [75 - 1.0 * (100 - n) for n in range(100)])
    assert forecasts.forecast_all(NOW)["problems"] == 1
    assert Change.objects.filter(origin=ChangeOrigin.CAPACITY).count() == 2
    assert m.Forecast.objects.get(metric=disk).change != change


def test_a_problem_still_open_answers_the_overload_after_the_setting_changes(disk, org_a):
    forecasts.forecast_all(NOW)
    problem = m.Forecast.objects.get(metric=disk).problem
    propose_changes(org_a)
    assert forecasts.forecast_all(NOW + datetime.timedelta(days=1))["problems"] == 0
    assert m.Forecast.objects.get(metric=disk).change is None
    assert problem.status == Status.LOGGED


def test_another_council_s_setting_changes_nothing_here(disk, org_b):
    propose_changes(org_b)
    forecasts.forecast_all(NOW)
    forecast = m.Forecast.objects.get(metric=disk)
    assert forecast.problem is not None and forecast.change is None


def test_the_metric_page_shows_the_change_raised(disk, org_a, signed_in):
    propose_changes(org_a)
    forecasts.forecast_all(NOW)
    change = m.Forecast.objects.get(metric=disk).change
    reader = make_member(org_a, roles.AUDITOR, "reader")
    text = signed_in(reader).get(reverse("capacity:metric_detail", args=[disk.pk])
                                 ).content.decode()
    assert "Capacity change proposed" in text and change.reference in text
    found = signed_in(reader, api=True).get(f"/api/capacity/metrics/{disk.pk}/forecast/")
    assert found.json()["change"] == change.pk and found.json()["problem"] is None


def test_who_may_set_what_is_raised_and_the_settings_checks(org_a, org_b, signed_in):
    url = reverse("capacity:capacitysettings_add")
    agent = signed_in(make_member(org_a, roles.AGENT, "agent"))
    assert agent.get(url).status_code == 403
    assert agent.post(url, {"overload_action": "change"}).status_code == 403
    manager = signed_in(make_member(org_a, roles.ICT_MANAGER, "manager"))
    bad = manager.post(url, {"overload_action": "telegram"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert manager.post(url, {"overload_action": "change"}).status_code == 302
    made = m.CapacitySettings.objects.get(organisation=org_a)
    assert made.overload_action == m.OverloadAction.CHANGE
    assert forecasts.overload_action(org_a.pk) == m.OverloadAction.CHANGE
    assert forecasts.overload_action(org_b.pk) == m.OverloadAction.PROBLEM
    again = manager.post(url, {"overload_action": "problem"})
    assert again.status_code == 400 and m.CapacitySettings.objects.count() == 1
    api = signed_in(make_member(org_a, roles.ADMINISTRATOR, "admin"), api=True)
    refused = api.post("/api/capacity/capacity-settings/", {"overload_action": "email"},
                       format="json")
    assert refused.status_code == 400 and "overload_action" in refused.json()
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"))
    assert outsider.get(reverse("capacity:capacitysettings_detail",
                                args=[made.pk])).status_code == 404
