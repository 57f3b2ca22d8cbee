"""The line protocol endpoint: who may push, where the points go, what is refused."""

from __future__ import annotations

import datetime
import gzip

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from borough.accounts import services as accounts
from borough.capacity import ingest
from borough.capacity import models as m
from borough.core import roles
from borough.core.models import AuditEvent
from tests.capacity.factories import MetricFactory
from tests.conftest import make_member

WRITE = "/api/capacity/write"
WRITE_V2 = "/api/v2/write"


def seconds(at: datetime.datetime) -> int:
    return int(at.timestamp())


def client_for(user, *, organisation=None, read_only=False) -> APIClient:
    _, secret = accounts.create_token(user, actor=user, name="telegraf",
                                      organisation_id=organisation.pk if organisation else None,
                                      read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def post(client, body: bytes | str, path=WRITE, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    data = body.encode() if isinstance(body, str) else body
    return client.generic("POST", f"{path}?{query}" if query else path, data,
                          content_type="text/plain; charset=utf-8")


@pytest.fixture
def pusher(org_a):
    return make_member(org_a, roles.ICT_MANAGER, "cbc-telegraf")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def test_points_go_to_the_metric_their_series_names(pusher, org_a, now):
    metric = MetricFactory(organisation=org_a, source_key="cpu,host=web01 usage_user")
    t1, t2 = seconds(now) - 120, seconds(now) - 60
    response = post(client_for(pusher),
                    f"cpu,host=web01 usage_user=12.5 {t1}\ncpu,host=web01 usage_user=20 {t2}\n",
                    precision="s")
    assert response.status_code == 204
    points = list(m.Point.objects.filter(metric=metric).order_by("at").values_list("at", "value"))
    assert points == [(now - datetime.timedelta(seconds=120), 12.5),
                      (now - datetime.timedelta(seconds=60), 20.0)]
    metric.refresh_from_db()
    assert (metric.latest_at, metric.latest_value) == (now - datetime.timedelta(seconds=60), 20.0)
    assert metric.dirty_from == now - datetime.timedelta(seconds=120)
    run = m.CollectionRun.objects.get()
    assert (run.source, run.lines, run.accepted, run.refused) == (m.Source.PUSH, 2, 2, 0)
    assert run.requested_by == pusher and "telegraf" in run.detail


def test_an_unknown_series_becomes_an_unmapped_metric_with_its_points(pusher, org_a, now):
    body = (f"disk,host=file01,path=/srv used_percent=71.5,free=1024i,label=\"data\" "
            f"{seconds(now)}000000000")
    assert post(client_for(pusher), body).status_code == 204
    made = {x.source_key: x for x in m.Metric.objects.filter(organisation=org_a)}
    assert set(made) == {"disk,host=file01,path=/srv used_percent",
                         "disk,host=file01,path=/srv free"}
    used = made["disk,host=file01,path=/srv used_percent"]
    assert used.mapping == m.Mapping.UNMAPPED and used.configuration_item is None
    assert used.unit == m.Unit.PERCENT
    assert made["disk,host=file01,path=/srv free"].unit == m.Unit.BYTES
    assert used.points.get().value == 71.5
    assert all(AuditEvent.objects.for_object(x).count() == 1 for x in made.values())
    run = m.CollectionRun.objects.get()
    assert (run.metrics_created, run.skipped, run.accepted) == (2, 1, 2)  # the string field


def test_the_same_point_pushed_again_replaces_its_value(pusher, org_a, now):
    metric = MetricFactory(organisation=org_a, source_key="mem,host=a used_percent")
    client = client_for(pusher)
    stamp = seconds(now)
    post(client, f"mem,host=a used_percent=40 {stamp}", precision="s")
    post(client, f"mem,host=a used_percent=41 {stamp}\nmem,host=a used_percent=42 {stamp}",
         precision="s")
    assert list(metric.points.values_list("value", flat=True)) == [42.0]


@pytest.mark.parametrize("race", [False, True], ids=["stored", "stored-meanwhile"])
def test_a_batch_of_new_and_stored_points_keeps_every_one_once(pusher, org_a, now, race,
                                                                monkeypatch):
    # On PostgreSQL new points go in by COPY and stored ones by the upsert; a point that
    # another push stored after the check ("meanwhile") makes the COPY fail and the
    # upsert write the lot. Either way each (metric, time) is kept once, the last value.
    metric = MetricFactory(organisation=org_a, source_key="mem,host=b used_percent")
    client = client_for(pusher)
    stamps = [seconds(now) - 60 * k for k in range(6, 0, -1)]
    post(client, "\n".join(f"mem,host=b used_percent=1 {t}" for t in stamps[::2]),
         precision="s")
    if race:
        monkeypatch.setattr(ingest, "_stored", lambda table, spans: set())
    response = post(client, "\n".join(f"mem,host=b used_percent={n} {t}"
                                       for n, t in enumerate(stamps, start=10)),
                    precision="s")
    assert response.status_code == 204
    assert list(metric.points.order_by("at").values_list("value", flat=True)) == [
        10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    metric.refresh_from_db()
    assert metric.latest_value == 15.0


def test_bad_lines_are_refused_by_number_and_good_ones_kept(pusher, org_a, now):
    metric = MetricFactory(organisation=org_a, source_key="cpu,host=a v")
    old = seconds(now - datetime.timedelta(days=400))
    body = f"cpu,host=a v=1\ncpu,host=a v=oops\n# note\ncpu,host=a v=3 {old}\ncpu,host=a v=4"
    response = post(client_for(pusher), body, precision="s")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"
    assert data["written"] == 1  # lines 1 and 5 are the same moment (now): the last wins
    assert [e["line"] for e in data["errors"]] == [2, 4]
    assert "not a number" in data["errors"][0]["message"]
    assert "older than the 35 days" in data["errors"][1]["message"]
    assert list(metric.points.values_list("value", flat=True)) == [4.0]
    run = m.CollectionRun.objects.get(pk=data["run"])
    assert (run.lines, run.accepted, run.refused) == (4, 1, 2)
    assert [e["line"] for e in run.errors] == [2, 4]


def test_gzip_and_the_v2_path_with_millisecond_precision(pusher, org_a, now):
    metric = MetricFactory(organisation=org_a, source_key="net,host=a,interface=eth0 bytes_recv")
    body = gzip.compress(f"net,interface=eth0,host=a bytes_recv=5000u {seconds(now)}000".encode())
    client = client_for(pusher)
    response = client.generic("POST", f"{WRITE_V2}?org=cbc&bucket=telegraf&precision=ms", body,
                              content_type="text/plain", HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 204
    assert metric.points.get().at == now


def test_an_unknown_precision_and_a_body_not_gzip_are_refused(pusher):
    client = client_for(pusher)
    assert post(client, "m v=1", precision="fortnight").status_code == 400
    response = client.generic("POST", WRITE, b"not gzip", content_type="text/plain",
                              HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 400
    assert not m.Point.objects.exists()


def test_a_body_over_the_limit_is_refused(pusher, settings):
    settings.CAPACITY_MAX_WRITE_BYTES = 100
    response = post(client_for(pusher), "m v=1\n" * 50)
    assert response.status_code == 413
    assert not m.Metric.objects.exists()


def test_no_token_no_push(org_a, now):
    response = post(APIClient(), "cpu v=1")
    assert response.status_code in (401, 403)
    assert not m.Metric.objects.exists()


def test_a_role_without_the_push_permission_is_refused(org_a):
    agent = make_member(org_a, roles.AGENT)
    response = post(client_for(agent), "cpu v=1")
    assert response.status_code == 403
    assert not m.Metric.objects.exists() and not m.CollectionRun.objects.exists()


def test_a_read_only_token_is_refused(pusher):
    response = post(client_for(pusher, read_only=True), "cpu v=1")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert not m.Metric.objects.exists()


def test_a_token_writes_only_its_own_organisations_metrics(pusher, org_a, org_b, now):
    """Organisation B has a metric with the same series: A's push never reaches it; it
    makes A an unmapped metric of its own."""
    theirs = MetricFactory(organisation=org_b, source_key="cpu,host=shared v")
    response = post(client_for(pusher, organisation=org_a), f"cpu,host=shared v=99 {seconds(now)}",
                    precision="s")
    assert response.status_code == 204
    assert not theirs.points.exists()
    mine = m.Metric.objects.get(organisation=org_a, source_key="cpu,host=shared v")
    assert mine.points.get().value == 99.0
    assert m.CollectionRun.objects.get().organisation == org_a


def test_asking_for_another_organisation_by_header_does_not_reach_it(pusher, org_a, org_b,
                                                                     now):
    theirs = MetricFactory(organisation=org_b, source_key="cpu,host=x v")
    client = client_for(pusher)
    response = client.generic("POST", WRITE + "?precision=s", f"cpu,host=x v=1 {seconds(now)}",
                              content_type="text/plain", HTTP_X_BOROUGH_ORGANISATION=str(org_b.pk))
    # The header names an organisation the user has no role in: the default one is used.
    assert response.status_code == 204
    assert not theirs.points.exists()
    assert m.Metric.objects.filter(organisation=org_a, source_key="cpu,host=x v").exists()


def test_unmapped_series_stop_at_the_limit_and_are_reported(pusher, org_a, settings, now):
    settings.CAPACITY_MAX_UNMAPPED = 2
    body = "\n".join(f"cpu,host=h{n} v={n} {seconds(now)}" for n in range(4))
    response = post(client_for(pusher), body, precision="s")
    assert response.status_code == 400
    data = response.json()
    assert data["written"] == 2
    assert [e["line"] for e in data["errors"]] == [3, 4]
    assert "wait to be attached" in data["errors"][0]["message"]
    assert m.Metric.objects.filter(mapping=m.Mapping.UNMAPPED).count() == 2


def test_an_older_point_does_not_replace_the_latest_value(pusher, org_a, now):
    metric = MetricFactory(organisation=org_a, source_key="cpu,host=a v")
    client = client_for(pusher)
    post(client, f"cpu,host=a v=5 {seconds(now)}", precision="s")
    post(client, f"cpu,host=a v=1 {seconds(now) - 3600}", precision="s")
    metric.refresh_from_db()
    assert (metric.latest_value, metric.latest_at) == (5.0, now)
    assert metric.dirty_from == now - datetime.timedelta(hours=1)


def test_curl_sending_form_encoded_is_read_as_it_is(pusher, org_a, now):
    """curl --data-binary sends application/x-www-form-urlencoded by default."""
    metric = MetricFactory(organisation=org_a, source_key="web,site=www visits")
    response = client_for(pusher).generic(
        "POST", WRITE + "?precision=s", f"web,site=www visits=12i {seconds(now)}",
        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204
    assert metric.points.get().value == 12.0
