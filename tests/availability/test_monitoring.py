"""Outages recorded from monitoring: an up or down metric's runs of 0 become unplanned
outages of the services relying on its item through the CMDB, whichever way its points
come in (pushed here; queried from a real Prometheus in test_monitoring_prometheus.py)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from borough.accounts import services as accounts
from borough.availability import models as m
from borough.availability import queries
from borough.capacity import models as cm
from borough.capacity import queries as capacity_queries
from borough.capacity import services as capacity
from borough.catalogue.models import BusinessService, ServiceComponent
from borough.core import roles
from borough.core import services as core_services
from borough.core.models import AuditEvent
from tests.availability.factories import OutageFactory
from tests.capacity.factories import MetricFactory
from tests.catalogue.factories import BusinessServiceFactory, ServiceComponentFactory
from tests.cmdb.factories import ConfigurationItemFactory, RelationshipFactory
from tests.conftest import make_member, sign_in

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def base():
    """A whole minute an hour ago: points from it are all within the raw retention."""
    return timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)


def up_metric(organisation, item=None, **kwargs):
    item = item or ConfigurationItemFactory(organisation=organisation, name="FILE01")
    defaults = {"name": "up", "unit": cm.Unit.OTHER, "kind": cm.Kind.UP_DOWN,
                "warning_threshold": None, "critical_threshold": None,
                "shortest_outage_minutes": 0}
    return MetricFactory(organisation=organisation, configuration_item=item,
                         **{**defaults, **kwargs})


def relying(organisation, item, name):
    service = BusinessServiceFactory(organisation=organisation, name=name)
    ServiceComponentFactory(organisation=organisation, service=service,
                            configuration_item=item)
    return service


def feed(metric, base, values, offset=0):
    """Store `values` a minute apart from `offset` minutes after `base`."""
    capacity.store_points([(metric.pk, base + (offset + n) * MINUTE, float(v))
                           for n, v in enumerate(values)])


def outages(metric=None, **filters):
    found = m.Outage.objects.filter(source=m.Source.MONITORING, **filters)
    if metric is not None:
        found = found.filter(metric=metric)
    return list(found.order_by("service__name", "started_at")
                .values_list("service__name", "started_at", "ended_at"))


@pytest.fixture
def file01(org_a):
    metric = up_metric(org_a)
    relying(org_a, metric.configuration_item, "File shares")
    return metric


# --- the metric kind ---------------------------------------------------------------------

def test_an_up_or_down_metric_refuses_thresholds_and_a_capacity_and_says_why(org_a):
    metric = up_metric(org_a)
    metric.warning_threshold, metric.critical_threshold, metric.capacity = 0.5, 0.0, 1.0
    with pytest.raises(ValidationError) as raised:
        metric.full_clean()
    errors = raised.value.message_dict
    assert set(errors) >= {"warning_threshold", "critical_threshold", "capacity"}
    assert "no critical threshold" in errors["critical_threshold"][0]
    assert "Leave it blank" in errors["critical_threshold"][0]


def test_the_shortest_outage_is_at_most_a_day(org_a):
    metric = up_metric(org_a, shortest_outage_minutes=1441)
    with pytest.raises(ValidationError) as raised:
        metric.full_clean()
    assert raised.value.message_dict["shortest_outage_minutes"] == [
        "Give at most 1,440 minutes (a day)."]


def test_down_runs_from_the_first_0_to_the_first_1_after_it(base):
    at = [base + n * MINUTE for n in range(8)]
    points = list(zip(at, [1, 0, 0, 1, 1, 0, 1, 0], strict=True))
    assert capacity_queries.down_runs(points) == [(at[1], at[3]), (at[5], at[6]),
                                                  (at[7], None)]
    # Two minutes at least: the single 0 at 5 is left out, the one going on is not yet kept.
    assert capacity_queries.down_runs(points, 2 * MINUTE) == [(at[1], at[3])]


# --- opening and ending ---------------------------------------------------------------------

def test_a_run_of_0_opens_an_outage_and_the_first_1_ends_it(file01, base):
    feed(file01, base, [1, 1, 0, 0])
    assert outages(file01) == [("File shares", base + 2 * MINUTE, None)]
    outage = m.Outage.objects.get(metric=file01)
    assert (outage.kind, outage.configuration_item) == (m.Kind.UNPLANNED,
                                                        file01.configuration_item)
    assert outage.reference.startswith("OUT-") and "FILE01" in outage.cause
    feed(file01, base, [0, 1, 1], offset=4)
    assert outages(file01) == [("File shares", base + 2 * MINUTE, base + 5 * MINUTE)]
    events = AuditEvent.objects.filter(object_id=outage.pk).order_by("pk")
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].actor is None and "From monitoring" in events[0].note


def test_points_all_up_record_nothing(file01, base):
    feed(file01, base, [1, 1, 1, 1])
    assert outages(file01) == []


def test_taking_the_same_points_in_again_changes_nothing(file01, base):
    values = [1, 0, 0, 1, 0, 1, 0]
    feed(file01, base, values)
    first = list(m.Outage.objects.filter(metric=file01).values_list("pk", "version"))
    events = AuditEvent.objects.count()
    for _ in range(2):
        feed(file01, base, values)
        feed(file01, base, values[2:5], offset=2)  # an overlapping part, as Prometheus re-reads
    assert list(m.Outage.objects.filter(metric=file01).values_list("pk", "version")) == first
    assert len(first) == 3 and AuditEvent.objects.count() == events


def test_points_out_of_order_give_the_same_outages_as_in_order(org_a, base):
    values = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1]
    ordered = up_metric(org_a, name="in order")
    relying(org_a, ordered.configuration_item, "In order")
    shuffled = up_metric(org_a, name="shuffled")
    relying(org_a, shuffled.configuration_item, "Shuffled")
    feed(ordered, base, values)
    for n in (8, 2, 10, 0, 6, 4, 9, 1, 7, 5, 3):  # one at a time, out of order
        feed(shuffled, base, [values[n]], offset=n)
    expected = [(base + 1 * MINUTE, base + 3 * MINUTE), (base + 5 * MINUTE, base + 8 * MINUTE),
                (base + 9 * MINUTE, base + 10 * MINUTE)]
    assert [o[1:] for o in outages(ordered)] == expected
    assert [o[1:] for o in outages(shuffled)] == expected


def test_a_late_earlier_0_moves_the_start_back_and_a_late_1_splits_the_outage(file01, base):
    feed(file01, base, [1, 1, 0, 0, 0, 0, 1], offset=0)
    assert outages(file01) == [("File shares", base + 2 * MINUTE, base + 6 * MINUTE)]
    feed(file01, base, [0], offset=1)  # the collector's earlier point, late
    assert outages(file01) == [("File shares", base + 1 * MINUTE, base + 6 * MINUTE)]
    feed(file01, base, [1], offset=3)  # a point written again with another value
    assert outages(file01) == [("File shares", base + 1 * MINUTE, base + 3 * MINUTE),
                               ("File shares", base + 4 * MINUTE, base + 6 * MINUTE)]


def test_an_outage_the_points_no_longer_show_is_removed_with_an_audit_event(file01, base):
    feed(file01, base, [1, 0, 1])
    (outage,) = m.Outage.objects.filter(metric=file01)
    feed(file01, base, [1], offset=1)  # the 0 replaced: it was up after all
    assert outages(file01) == []
    assert AuditEvent.objects.filter(object_id=outage.pk, action="delete").exists()


def test_a_stretch_shorter_than_the_metrics_shortest_outage_is_not_recorded(org_a, base):
    metric = up_metric(org_a, shortest_outage_minutes=5)
    relying(org_a, metric.configuration_item, "Payroll")
    feed(metric, base, [1, 0, 0, 1])  # two minutes down: a blip
    assert outages(metric) == []
    feed(metric, base, [0, 0, 0, 0, 0], offset=10)
    assert outages(metric) == []  # four minutes so far
    feed(metric, base, [0], offset=15)
    assert outages(metric) == [("Payroll", base + 10 * MINUTE, None)]
    feed(metric, base, [1], offset=16)
    assert outages(metric) == [("Payroll", base + 10 * MINUTE, base + 16 * MINUTE)]


def test_a_gauge_metric_records_no_outage(org_a, base):
    metric = MetricFactory(organisation=org_a, warning_threshold=None, critical_threshold=None)
    relying(org_a, metric.configuration_item, "Website")
    feed(metric, base, [1, 0, 0, 1])
    assert m.Outage.objects.count() == 0


def test_an_unattached_up_metric_keeps_its_points_and_records_nothing(org_a, base):
    metric = MetricFactory(organisation=org_a, configuration_item=None,
                           mapping=cm.Mapping.UNMAPPED, kind=cm.Kind.UP_DOWN,
                           warning_threshold=None, critical_threshold=None)
    feed(metric, base, [1, 0, 0])
    assert metric.points.count() == 3 and m.Outage.objects.count() == 0


# --- the services: through the CMDB -----------------------------------------------------------

def test_each_service_relying_on_the_item_through_the_cmdb_gets_its_outage(org_a, base):
    server = ConfigurationItemFactory(organisation=org_a, name="DB01")
    application = ConfigurationItemFactory(organisation=org_a, name="Revenues app")
    RelationshipFactory(organisation=org_a, source=application, target=server)
    metric = up_metric(org_a, item=server)
    relying(org_a, server, "Databases")
    relying(org_a, application, "Council tax")
    relying(org_a, application, "Business rates")
    relying(org_a, ConfigurationItemFactory(organisation=org_a), "Unrelated")
    feed(metric, base, [1, 0, 0, 1])
    assert outages(metric) == [(name, base + MINUTE, base + 3 * MINUTE)
                               for name in ("Business rates", "Council tax", "Databases")]


def test_two_items_of_one_service_down_at_once_are_two_outages_counted_once(org_a, base):
    web1, web2 = up_metric(org_a, name="web1"), up_metric(org_a, name="web2")
    service = relying(org_a, web1.configuration_item, "Website")
    ServiceComponentFactory(organisation=org_a, service=service,
                            configuration_item=web2.configuration_item)
    feed(web1, base, [1, 0, 0, 0, 1])
    feed(web2, base, [1, 1, 0, 0, 0, 1])
    assert outages(web1) == [("Website", base + MINUTE, base + 4 * MINUTE)]
    assert outages(web2) == [("Website", base + 2 * MINUTE, base + 5 * MINUTE)]


def test_a_monitoring_outage_beside_a_hand_recorded_one_of_the_same_time(file01, base):
    shares = BusinessService.objects.get(name="File shares")
    OutageFactory(organisation=file01.organisation, service=shares, started_at=base,
                  ended_at=base + 10 * MINUTE, source=m.Source.MANUAL)
    feed(file01, base, [1, 0, 0, 1])
    assert outages(file01) == [("File shares", base + MINUTE, base + 3 * MINUTE)]
    assert m.Outage.objects.filter(service=shares).count() == 2


def test_a_clash_with_an_outage_entered_by_hand_as_monitoring_keeps_the_points(file01, base):
    """An outage someone entered by hand with source monitoring and no metric does not
    stop the metric's own: they are compared per metric."""
    shares = BusinessService.objects.get(name="File shares")
    OutageFactory(organisation=file01.organisation, service=shares, started_at=base,
                  ended_at=None, source=m.Source.MONITORING)
    feed(file01, base, [1, 0, 0, 1])
    assert outages(file01) == [("File shares", base + MINUTE, base + 3 * MINUTE)]
    assert file01.points.count() == 4


# --- organisations and permissions --------------------------------------------------------------

def token_client(user, organisation):
    _, secret = accounts.create_token(user, actor=user, name="telegraf",
                                      organisation_id=organisation.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_push_opens_and_ends_outages_of_its_own_council_only(org_a, org_b, base):
    """Both councils monitor a server by the same series; one council's points never
    touch the other's outages."""
    series = "ping,url=file01 up"
    a = up_metric(org_a, source_key=series)
    b = up_metric(org_b, source_key=series)
    relying(org_a, a.configuration_item, "Files A")
    relying(org_b, b.configuration_item, "Files B")
    pusher = make_member(org_a, roles.ICT_MANAGER, "cbc-telegraf")
    t = int(base.timestamp())
    body = "\n".join(f"{series.replace(' up', '')} up={v}i {t + 60 * n}"
                     for n, v in enumerate([1, 0, 0]))
    response = token_client(pusher, org_a).generic(
        "POST", "/api/capacity/write?precision=s", body.encode(), content_type="text/plain")
    assert response.status_code == 204
    assert outages(a) == [("Files A", base + MINUTE, None)]
    assert outages(b) == [] and b.points.count() == 0
    response = token_client(pusher, org_a).generic(
        "POST", "/api/capacity/write?precision=s", f"ping,url=file01 up=1i {t + 180}".encode(),
        content_type="text/plain")
    assert response.status_code == 204
    assert outages(a) == [("Files A", base + MINUTE, base + 3 * MINUTE)]


def test_a_service_of_another_council_is_never_given_an_outage(org_a, org_b, base):
    metric = up_metric(org_a)
    relying(org_a, metric.configuration_item, "Ours")
    other = BusinessServiceFactory(organisation=org_b, name="Theirs")
    # A component row pointing across councils (which the catalogue refuses) gives
    # nothing either.
    ServiceComponent.objects.create(organisation=org_b, service=other,
                                    configuration_item=metric.configuration_item)
    feed(metric, base, [1, 0])
    assert outages(metric) == [("Ours", base + MINUTE, None)]


def test_a_requester_reads_no_monitoring_outage(file01, base, org_a):
    feed(file01, base, [1, 0])
    requester = sign_in(make_member(org_a, roles.REQUESTER), api=True)
    assert requester.get("/api/availability/outages/").status_code == 403
    agent = sign_in(make_member(org_a, roles.AGENT), api=True)
    answer = agent.get("/api/availability/outages/?source=monitoring").json()
    (row,) = answer["results"]
    assert row["metric"] == file01.pk
    assert row["configuration_item"] == file01.configuration_item_id


def test_the_api_does_not_let_anyone_set_the_metric_of_an_outage(file01, base, org_a):
    feed(file01, base, [1, 0])
    outage = m.Outage.objects.get(metric=file01)
    other = up_metric(org_a, name="other")
    client = sign_in(make_member(org_a, roles.ICT_MANAGER), api=True)
    response = client.patch(f"/api/availability/outages/{outage.pk}/",
                            {"metric": other.pk, "cause": "Disk controller"}, format="json",
                            HTTP_IF_MATCH=f'"{outage.version}"')
    assert response.status_code == 200, response.content
    outage.refresh_from_db()
    assert (outage.metric, outage.cause) == (file01, "Disk controller")
    # The person's cause is kept when the points later end it.
    feed(file01, base, [1], offset=2)
    outage.refresh_from_db()
    assert (outage.ended_at, outage.cause) == (base + 2 * MINUTE, "Disk controller")


def test_deleting_the_metric_keeps_its_outages(file01, base):
    feed(file01, base, [1, 0, 1])
    core_services.delete_record(file01, actor=None, expected_version=None)
    (outage,) = m.Outage.objects.filter(source=m.Source.MONITORING)
    assert outage.metric is None and outage.configuration_item is not None


# --- components: a configuration item's availability ------------------------------------------

UK = ZoneInfo("Europe/London")


def uk(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UK).astimezone(datetime.UTC)


def test_a_components_month_is_the_share_of_the_time_measured_it_was_up(org_a):
    metric = up_metric(org_a)
    capacity.store_points([(metric.pk, at, v) for at, v in (
        (uk(2026, 11, 10, 0), 1.0), (uk(2026, 11, 10, 6), 0.0), (uk(2026, 11, 10, 12), 1.0),
        (uk(2026, 11, 11, 0), 1.0))])
    (nov,) = queries.component_availability(metric, [datetime.date(2026, 11, 1)],
                                            now=uk(2026, 11, 20))
    assert (nov.measured_from, nov.measured_until) == (uk(2026, 11, 10), uk(2026, 11, 11))
    assert (nov.measured_minutes, nov.down_minutes, nov.availability) == (1440, 360, 75.0)
    assert nov.complete is False
    # A point after the month carries the last state to its end; the next month starts in
    # the state of the point before it.
    capacity.store_points([(metric.pk, uk(2026, 12, 2), 0.0), (metric.pk, uk(2026, 12, 3), 1.0)])
    nov, dec = queries.component_availability(
        metric, [datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)], now=uk(2026, 12, 5))
    assert nov.measured_until == uk(2026, 12, 1) and nov.measured_minutes == 21 * 1440
    assert nov.down_minutes == 360
    assert (dec.measured_from, dec.measured_until) == (uk(2026, 12, 1), uk(2026, 12, 3))
    assert (dec.down_minutes, dec.availability) == (1440, 50.0)


def test_days_whose_raw_points_are_gone_are_measured_from_their_daily_rollups(org_a):
    """October 2026 has 31 days and the hour the clocks go back: 44,700 minutes."""
    metric = up_metric(org_a)
    for day in range(1, 32):
        mean = 0.5 if day == 10 else 1.0
        cm.Rollup.objects.create(metric=metric, period=cm.Period.DAY, start=uk(2026, 10, day),
                                 count=288, total=288 * mean, minimum=0, mean=mean,
                                 maximum=1, p95=1)
    capacity.store_points([(metric.pk, uk(2026, 11, 5), 1.0), (metric.pk, uk(2026, 11, 6), 1.0)])
    (october,) = queries.component_availability(metric, [datetime.date(2026, 10, 1)],
                                                now=uk(2026, 11, 20))
    assert october.measured_minutes == 44_700 and october.down_minutes == 720
    assert october.complete and october.measured_from == uk(2026, 10, 1)
    assert october.availability == pytest.approx(100 * (44_700 - 720) / 44_700)


def test_a_component_with_no_points_is_not_measured(org_a):
    metric = up_metric(org_a)
    (month,) = queries.component_availability(metric, [datetime.date(2026, 11, 1)],
                                              now=uk(2026, 11, 20))
    assert month.measured_from is None and month.availability is None


@pytest.fixture
def watched(file01, base):
    """FILE01 down for half an hour of the last hour, with its outage."""
    feed(file01, base, [1] + [0] * 30 + [1] * 30)
    return file01


def test_the_items_page_shows_its_availability_and_outages(watched, org_a):
    if timezone.localtime().day == 1 and timezone.localtime().hour < 2:
        pytest.skip("the hour of points would straddle the months")
    agent = sign_in(make_member(org_a, roles.AGENT))
    page = agent.get(reverse("cmdb:configurationitem_detail",
                             args=[watched.configuration_item_id])).content.decode()
    assert 'id="component-availability"' in page
    this_month = timezone.localdate().strftime("%b %Y")
    assert this_month in page and "50.00%" in page and "30 min" in page
    outage = m.Outage.objects.get(metric=watched)
    assert outage.reference in page and "File shares" in page
    detail = agent.get(outage.get_absolute_url()).content.decode()
    assert "FILE01" in detail and "Monitored item" in detail


def test_an_item_with_no_up_or_down_metric_shows_no_availability(org_a):
    item = ConfigurationItemFactory(organisation=org_a)
    agent = sign_in(make_member(org_a, roles.AGENT))
    page = agent.get(reverse("cmdb:configurationitem_detail", args=[item.pk])).content.decode()
    assert 'id="component-availability"' not in page


def test_the_api_gives_the_items_months_and_outages(watched, org_a, org_b):
    item = watched.configuration_item
    url = f"/api/availability/components/{item.pk}/"
    agent = sign_in(make_member(org_a, roles.AGENT), api=True)
    answer = agent.get(url)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["configuration_item"] == item.pk and data["name"] == "FILE01"
    (metric,) = data["metrics"]
    assert metric["metric"] == watched.pk and len(metric["months"]) == 2
    outage = m.Outage.objects.get(metric=watched)
    assert [o["reference"] for o in data["outages"]] == [outage.reference]
    assert agent.get(url, {"months": "40"}).status_code == 400
    assert agent.get(url, {"colour": "red"}).status_code == 400
    assert sign_in(make_member(org_a, roles.REQUESTER), api=True).get(url).status_code == 403
    other = sign_in(make_member(org_b, roles.AGENT), api=True).get(url)
    assert other.status_code == 404 and b"FILE01" not in other.content
