"""Outages from monitoring against a real Prometheus (tests/prometheus.py): node_exporter's
`up` is 1, a target where nothing listens has `up` 0, and one that a test starts serving
comes up. The Prometheus source writes the points through capacity's storing, which
records the outages."""

from __future__ import annotations

import datetime
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from borough.availability import models as am
from borough.capacity import models as m
from borough.capacity import prometheus
from tests.capacity.factories import MetricFactory, PrometheusSourceFactory
from tests.catalogue.factories import BusinessServiceFactory, ServiceComponentFactory
from tests.cmdb.factories import ConfigurationItemFactory
from tests.prometheus import SCRAPED, get_json

pytestmark = [pytest.mark.prometheus, pytest.mark.django_db]


def moment(seconds_ago: int = 3) -> datetime.datetime:
    return timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=seconds_ago)


def watched(organisation, source, name, job):
    item = ConfigurationItemFactory(organisation=organisation, name=name)
    service = BusinessServiceFactory(organisation=organisation, name=f"{name} service")
    ServiceComponentFactory(organisation=organisation, service=service, configuration_item=item)
    return MetricFactory(organisation=organisation, configuration_item=item, name="up",
                         unit=m.Unit.OTHER, kind=m.Kind.UP_DOWN, warning_threshold=None,
                         critical_threshold=None, shortest_outage_minutes=0,
                         prometheus_source=source, promql=f'up{{job="{job}"}}')


def first_down(metric) -> datetime.datetime:
    return m.Point.objects.filter(metric=metric, value=0).order_by("at").values_list(
        "at", flat=True).first()


def test_a_target_down_in_prometheus_opens_an_outage_and_one_up_does_not(
        prometheus_server, org_a):
    source = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                     step_seconds=1, first_run_hours=1)
    node = watched(org_a, source, "NODE01", "node")
    dead = watched(org_a, source, "DEAD01", "down")
    run = prometheus.collect_source(source, now=moment())
    assert run.errors == [] and run.accepted > 0
    assert set(node.points.values_list("value", flat=True)) == {1.0}
    assert set(dead.points.values_list("value", flat=True)) == {0.0}

    (outage,) = am.Outage.objects.all()
    assert outage.service.name == "DEAD01 service" and outage.metric == dead
    assert outage.configuration_item.name == "DEAD01"
    assert (outage.source, outage.kind) == (am.Source.MONITORING, am.Kind.UNPLANNED)
    assert outage.started_at == first_down(dead) and outage.ended_at is None

    # The job's next runs read on from the latest point, overlapping none: still one
    # outage, still open, unchanged.
    time.sleep(2)
    prometheus.collect_source(source, now=moment())
    again = am.Outage.objects.get()
    assert (again.pk, again.version, again.ended_at) == (outage.pk, outage.version, None)


class Metrics(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"# HELP borough_test 1\n# TYPE borough_test gauge\nborough_test 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def wait_until_up(base: str, job: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    query = urlencode({"query": 'up{job="%s"}' % job})  # noqa: UP031 - PromQL's braces
    while time.monotonic() < deadline:
        answer = get_json(f"{base}/api/v1/query?{query}")
        result = answer["data"]["result"]
        if result and result[0]["value"][1] == "1":
            return
        time.sleep(0.25)
    pytest.fail(f"Prometheus did not see job {job} up within {timeout} s")


def test_the_target_coming_back_ends_the_outage_at_its_first_up_point(
        prometheus_server, org_a):
    source = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                     step_seconds=1, first_run_hours=1)
    flaky = watched(org_a, source, "FLAKY01", "flaky")
    prometheus.collect_source(source, now=moment())
    (outage,) = am.Outage.objects.filter(metric=flaky)
    assert outage.ended_at is None

    host, port = SCRAPED["flaky"].split(":")
    server = ThreadingHTTPServer((host, int(port)), Metrics)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        wait_until_up(prometheus_server, "flaky")
        # `moment()` is 3 s back: past the first sample up, and with every sample to it in.
        time.sleep(5)
        run = prometheus.collect_source(source, now=moment())
        assert run.errors == [], run.errors
    finally:
        server.shutdown()
        server.server_close()
    first_up = (m.Point.objects.filter(metric=flaky, value=1, at__gt=outage.started_at)
                .order_by("at").values_list("at", flat=True).first())
    assert first_up is not None, list(m.Point.objects.filter(metric=flaky).order_by("-at")
                                      .values_list("at", "value")[:8])
    outage.refresh_from_db()
    assert outage.ended_at == first_up
    assert am.Outage.objects.filter(metric=flaky).count() == 1
