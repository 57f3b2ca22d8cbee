"""Prometheus sources: metrics queried over Prometheus' HTTP API against a real
Prometheus scraping a real node_exporter (tests/prometheus.py), and against a tiny local
HTTP server where the answer or the headers sent must be exact."""

from __future__ import annotations

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borough.capacity import models as m
from borough.capacity import prometheus
from borough.core import roles
from tests.capacity.factories import MetricFactory, PrometheusSourceFactory
from tests.conftest import make_member
from tests.prometheus import get_json
from tests.slapd import free_port

MEMORY = "node_memory_MemAvailable_bytes"
CPU = '100 - avg(rate(node_cpu_seconds_total{mode="idle"}[10s]))*100'


def moment(seconds_ago: int = 5) -> datetime.datetime:
    """A whole second a little in the past: the samples up to it are all in."""
    return timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=seconds_ago)


def direct(base: str, query: str, start: datetime.datetime, end: datetime.datetime,
           step: int) -> list[tuple[datetime.datetime, float]]:
    params = urlencode({"query": query, "start": f"{start.timestamp():.3f}",
                        "end": f"{end.timestamp():.3f}", "step": step})
    answer = get_json(f"{base}/api/v1/query_range?{params}")
    assert answer["status"] == "success"
    (series,) = answer["data"]["result"]
    return [(datetime.datetime.fromtimestamp(float(t), datetime.UTC), float(v))
            for t, v in series["values"]]


def points_of(metric) -> list[tuple[datetime.datetime, float]]:
    return list(m.Point.objects.filter(metric=metric).order_by("at").values_list("at", "value"))


# --- against a real Prometheus ------------------------------------------------------------

@pytest.mark.prometheus
@pytest.mark.django_db
class TestRealPrometheus:
    def test_points_match_what_prometheus_returns(self, prometheus_server, org_a):
        source = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                         step_seconds=1, first_run_hours=1)
        memory = MetricFactory(organisation=org_a, name="memory_available",
                               unit=m.Unit.BYTES, prometheus_source=source, promql=MEMORY)
        cpu = MetricFactory(organisation=org_a, name="cpu_used", prometheus_source=source,
                            promql=CPU)
        now = moment()
        run = prometheus.collect_source(source, now=now)

        assert run.source == m.Source.PROMETHEUS
        assert run.errors == [] and run.refused == 0
        assert run.lines == 2
        start = now - datetime.timedelta(hours=1)
        for metric, query in ((memory, MEMORY), (cpu, CPU)):
            expected = direct(prometheus_server, query, start, now, 1)
            assert expected, query
            assert points_of(metric) == expected
            metric.refresh_from_db()
            assert (metric.latest_at, metric.latest_value) == expected[-1]
            assert metric.dirty_from == expected[0][0]
        assert run.accepted == memory.points.count() + cpu.points.count()
        source.refresh_from_db()
        assert source.last_run_at is not None

    def test_a_second_run_takes_only_newer_points(self, prometheus_server, org_a):
        source = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                         step_seconds=1)
        metric = MetricFactory(organisation=org_a, prometheus_source=source, promql=MEMORY)
        first_end = moment(8)
        prometheus.collect_source(source, now=first_end)
        before = points_of(metric)
        assert before and before[-1][0] == first_end

        second_end = moment(3)
        run = prometheus.collect_source(source, now=second_end)
        after = points_of(metric)
        new = after[len(before):]
        assert after[:len(before)] == before
        assert run.accepted == len(new) == len(after) - len(before) == 5
        assert all(at > first_end for at, _ in new)
        assert new == direct(prometheus_server, MEMORY,
                             first_end + datetime.timedelta(seconds=1), second_end, 1)

    def test_a_bad_query_is_the_runs_error_and_the_others_still_collect(
            self, prometheus_server, org_a):
        source = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                         step_seconds=1)
        broken = MetricFactory(organisation=org_a, name="broken_query",
                               prometheus_source=source, promql="rate(node_cpu_seconds_total[")
        several = MetricFactory(organisation=org_a, name="every_cpu",
                                prometheus_source=source, promql="node_cpu_seconds_total")
        good = MetricFactory(organisation=org_a, name="memory_available",
                             prometheus_source=source, promql=MEMORY)
        run = prometheus.collect_source(source, now=moment())

        messages = [e["message"] for e in run.errors]
        assert run.refused == 2
        assert any("broken_query" in msg and "parse error" in msg for msg in messages), messages
        assert any("every_cpu" in msg and "series, not one" in msg for msg in messages), messages
        assert not broken.points.exists() and not several.points.exists()
        assert good.points.exists()
        assert run.accepted == good.points.count()

    def test_the_periodic_job_queries_active_sources_only(self, prometheus_server, org_a,
                                                          org_b):
        active = PrometheusSourceFactory(organisation=org_a, base_url=prometheus_server,
                                         step_seconds=60)
        idle = PrometheusSourceFactory(organisation=org_b, base_url=prometheus_server,
                                       is_active=False)
        queried = MetricFactory(organisation=org_a, prometheus_source=active, promql=MEMORY)
        skipped = MetricFactory(organisation=org_b, prometheus_source=idle, promql=MEMORY)
        said = prometheus.collect_job()
        assert "from 1 Prometheus source," in said
        assert queried.points.exists() and not skipped.points.exists()
        assert m.CollectionRun.objects.filter(organisation=org_a,
                                              source=m.Source.PROMETHEUS).count() == 1


# --- unreachable, and against a tiny server -------------------------------------------

@pytest.mark.django_db
def test_an_unreachable_source_is_recorded_not_raised(org_a):
    source = PrometheusSourceFactory(organisation=org_a,
                                     base_url=f"http://127.0.0.1:{free_port()}")
    MetricFactory(organisation=org_a, name="memory_available", prometheus_source=source,
                  promql=MEMORY)
    run = prometheus.collect_source(source, now=moment())
    assert run.refused == 1 and run.accepted == 0
    (error,) = run.errors
    assert "memory_available" in error["message"] and "could not reach" in error["message"]
    assert "1 error" in prometheus.collect_job()


class FakePrometheus:
    """A local HTTP server answering every request with `answer` (status, JSON or bytes)
    and keeping the requests' headers and paths."""

    def __init__(self):
        self.status, self.body = 200, b"{}"
        self.requests: list[tuple[str, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                fake.requests.append((self.path, dict(self.headers)))
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body):
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    server = FakePrometheus()
    yield server
    server.close()


def matrix(values) -> dict:
    return {"status": "success",
            "data": {"resultType": "matrix",
                     "result": [{"metric": {"instance": "file01"}, "values": values}]}}


@pytest.mark.django_db
def test_the_bearer_token_comes_from_the_named_environment_variable(fake, org_a, monkeypatch):
    monkeypatch.setenv("BOROUGH_TEST_PROM_TOKEN", "s3cret-token")
    source = PrometheusSourceFactory(organisation=org_a, base_url=fake.url,
                                     auth=m.PrometheusAuth.BEARER,
                                     secret_env="BOROUGH_TEST_PROM_TOKEN")
    metric = MetricFactory(organisation=org_a, prometheus_source=source, promql="up")
    now = moment()
    at = now.timestamp() - 60
    fake.answer(200, matrix([[at, "1"], [at + 10, "NaN"], [at + 20, "+Inf"], [at + 30, "2.5"]]))
    run = prometheus.collect_source(source, now=now)

    (path, headers), = fake.requests
    assert headers["Authorization"] == "Bearer s3cret-token"
    assert path.startswith("/api/v1/query_range?query=up&start=")
    assert run.accepted == 2 and run.skipped == 2 and run.errors == []
    assert [v for _, v in points_of(metric)] == [1.0, 2.5]
    source.refresh_from_db()
    assert "s3cret" not in json.dumps([source.secret_env, source.username])


@pytest.mark.django_db
def test_basic_auth_and_a_missing_variable(fake, org_a, monkeypatch):
    source = PrometheusSourceFactory(organisation=org_a, base_url=fake.url,
                                     auth=m.PrometheusAuth.BASIC, username="borough",
                                     secret_env="BOROUGH_TEST_PROM_PASSWORD")
    MetricFactory(organisation=org_a, name="up_metric", prometheus_source=source, promql="up")
    monkeypatch.delenv("BOROUGH_TEST_PROM_PASSWORD", raising=False)
    run = prometheus.collect_source(source, now=moment())
    assert fake.requests == []
    assert "BOROUGH_TEST_PROM_PASSWORD is not set" in run.errors[0]["message"]

    monkeypatch.setenv("BOROUGH_TEST_PROM_PASSWORD", "pw")
    fake.answer(200, matrix([]))
    run = prometheus.collect_source(source, now=moment())
    assert run.errors == []
    assert fake.requests[0][1]["Authorization"] == "Basic Ym9yb3VnaDpwdw=="


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "body", "said"), [
    (422, {"status": "error", "errorType": "execution", "error": "query timed out"},
     "HTTP 422 Unprocessable Entity: query timed out"),
    (200, {"status": "error", "error": "many-to-many matching not allowed"},
     "Prometheus says: many-to-many matching not allowed"),
    (200, b"<html>not json</html>", "the answer is not JSON"),
    (200, {"status": "success", "data": {"resultType": "vector", "result": []}},
     "the answer is a vector"),
    (200, matrix([["x", "1"]]), "not [time, \"number\"]"),
    (500, b"oops", "HTTP 500"),
])
def test_each_bad_answer_is_a_run_error_naming_the_metric(fake, org_a, status, body, said):
    source = PrometheusSourceFactory(organisation=org_a, base_url=fake.url)
    MetricFactory(organisation=org_a, name="disk_used", prometheus_source=source, promql="up")
    fake.answer(status, body)
    run = prometheus.collect_source(source, now=moment())
    (error,) = run.errors
    assert "disk_used" in error["message"] and said in error["message"], error


# --- validation, pages and permissions -------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "field"), [
    ({"base_url": "ftp://prometheus.example:21"}, "base_url"),
    ({"auth": m.PrometheusAuth.BEARER, "secret_env": ""}, "secret_env"),
    ({"auth": m.PrometheusAuth.BEARER, "secret_env": "eyJhbGciOi.secret"}, "secret_env"),
    ({"auth": m.PrometheusAuth.NONE, "secret_env": "TOKEN"}, "secret_env"),
    ({"auth": m.PrometheusAuth.BASIC, "secret_env": "PASSWORD", "username": ""}, "username"),
    ({"step_seconds": 0}, "step_seconds"),
])
def test_a_source_is_validated(org_a, fields, field):
    source = PrometheusSourceFactory.build(organisation=org_a, **fields)
    with pytest.raises(ValidationError) as caught:
        source.full_clean()
    assert field in caught.value.message_dict


@pytest.mark.django_db
def test_a_metrics_source_and_query_go_together(org_a, org_b):
    source = PrometheusSourceFactory(organisation=org_a)
    with pytest.raises(ValidationError, match="PromQL"):
        MetricFactory.build(organisation=org_a, configuration_item=None,
                            mapping=m.Mapping.UNMAPPED, prometheus_source=source).full_clean()
    metric = MetricFactory(organisation=org_a, promql="up")
    with pytest.raises(ValidationError) as caught:
        metric.full_clean()
    assert "prometheus_source" in caught.value.message_dict
    metric.prometheus_source = PrometheusSourceFactory(organisation=org_b)
    with pytest.raises(ValidationError) as caught:
        metric.full_clean()
    assert "prometheus_source" in caught.value.message_dict


@pytest.mark.django_db
def test_query_now_on_the_page(fake, org_a, signed_in):
    manager = make_member(org_a, roles.ICT_MANAGER)
    reader = make_member(org_a, roles.AUDITOR)
    source = PrometheusSourceFactory(organisation=org_a, base_url=fake.url)
    MetricFactory(organisation=org_a, name="disk_used", prometheus_source=source, promql="up")
    at = moment().timestamp() - 30
    fake.answer(200, matrix([[at, "42"]]))
    url = reverse("capacity:prometheussource_query_now", args=[source.pk])
    detail = reverse("capacity:prometheussource_detail", args=[source.pk])

    page = signed_in(reader).get(detail)
    assert page.status_code == 200 and "Query now" not in page.content.decode()
    assert signed_in(reader).post(url, {"version": source.version}).status_code == 403

    client = signed_in(manager)
    assert "Query now" in client.get(detail).content.decode()
    response = client.post(url, {"version": source.version}, follow=True)
    assert response.status_code == 200
    assert "1 point kept" in response.content.decode()
    run = m.CollectionRun.objects.get(source=m.Source.PROMETHEUS)
    assert run.requested_by == manager and run.accepted == 1
    assert "disk_used" in client.get(detail).content.decode()


@pytest.mark.django_db
def test_query_now_through_the_api(fake, org_a, signed_in):
    manager = make_member(org_a, roles.ICT_MANAGER)
    source = PrometheusSourceFactory(organisation=org_a, base_url=fake.url)
    MetricFactory(organisation=org_a, name="disk_used", prometheus_source=source, promql="up")
    fake.answer(400, {"status": "error", "errorType": "bad_data", "error": "parse error"})
    client = signed_in(manager, api=True)
    response = client.post(f"/api/capacity/prometheus-sources/{source.pk}/query-now/",
                           {"version": source.version}, format="json")
    assert response.status_code == 200, response.content
    run = m.CollectionRun.objects.get(source=m.Source.PROMETHEUS)
    assert run.refused == 1 and "disk_used" in run.errors[0]["message"]
    listed = client.get("/api/capacity/prometheus-sources/").json()
    assert listed["results"][0]["secret_env"] == "" and "last_run_at" in listed["results"][0]
