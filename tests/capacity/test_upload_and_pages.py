"""Uploading measurements (preview, row-level problems, nothing saved until confirmed),
the metric's page, the list's threshold filter, the CI's Utilisation panel and /jobs/."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from borough.capacity import models as m
from borough.capacity import services
from borough.capacity.ingest import zone
from borough.core import roles
from tests.capacity.factories import MetricFactory
from tests.cmdb.factories import ConfigurationItemFactory
from tests.conftest import make_member
from tests.core.test_import import csv_bytes, imported, page, preview, row_errors

UPLOAD = "/capacity/measurements/import/"


def local(at: datetime.datetime) -> str:
    return f"{at.astimezone(zone()):%d/%m/%Y %H:%M}"


def test_an_export_uploads_after_its_preview(signed_in, admin_a, org_a):
    server = ConfigurationItemFactory(organisation=org_a, name="FILE01")
    cpu = MetricFactory(organisation=org_a, configuration_item=server, name="cpu_used")
    now = timezone.now().replace(second=0, microsecond=0)
    t1, t2 = now - datetime.timedelta(hours=2), now - datetime.timedelta(hours=1)
    rows = [["Server", "Counter", "Timestamp", "Reading", "Units"],
            ["FILE01", "cpu_used", local(t1), "12.5", ""],
            [server.reference, "CPU_USED", t2.isoformat(), "87 %", ""],
            ["file01", "disk_used", local(t2), "1,234,567", "bytes"]]
    client = signed_in(admin_a)
    checked = preview(client, UPLOAD, csv_bytes(rows))
    assert "1 metric and 3 points" in page(checked), page(checked)
    assert not m.Point.objects.exists() and m.Metric.objects.count() == 1  # not yet
    imported(client, UPLOAD, csv_bytes(rows))
    assert list(cpu.points.order_by("at").values_list("at", "value")) == [(t1, 12.5), (t2, 87.0)]
    disk = m.Metric.objects.get(name="disk_used")
    assert (disk.configuration_item, disk.unit) == (server, m.Unit.BYTES)
    assert disk.points.get().value == 1234567.0
    run = m.CollectionRun.objects.get()
    assert (run.source, run.accepted, run.metrics_created) == (m.Source.UPLOAD, 3, 1)


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_saved(signed_in, admin_a, org_a,
                                                                    org_b):
    server = ConfigurationItemFactory(organisation=org_a, name="APP01")
    ConfigurationItemFactory(organisation=org_b, name="EDC-SRV")  # another council's
    MetricFactory(organisation=org_a, configuration_item=server, name="cpu_used")
    now = timezone.now()
    rows = [["Configuration item", "Metric", "Time", "Value", "Unit"],
            ["APP01", "cpu_used", local(now), "lots", ""],
            ["EDC-SRV", "cpu_used", local(now), "5", ""],
            ["APP01", "cpu_used", "yesterday", "5", ""],
            ["APP01", "new_metric", local(now), "5", ""],
            ["APP01", "cpu_used", local(now - datetime.timedelta(days=400)), "5", ""],
            ["APP01", "cpu_used", local(now), "5", "furlongs"],
            ["APP01", "", local(now), "5", ""],
            ["APP01", "cpu_used", local(now), "50", ""]]
    checked = preview(signed_in(admin_a), UPLOAD, csv_bytes(rows))
    by_row = {row: (column, message) for row, column, message in row_errors(checked)}
    assert by_row["2"][0] == "Value" and "“lots” is not a number" in by_row["2"][1]
    assert by_row["3"][0] == "Configuration item" and "no configuration item “EDC-SRV”" in \
        by_row["3"][1]
    assert by_row["4"][0] == "Time"
    assert by_row["5"][0] == "Unit" and "give its unit" in by_row["5"][1]
    assert by_row["6"][0] == "Time" and "older than the 35 days" in by_row["6"][1]
    assert by_row["7"][0] == "Unit"
    assert by_row["8"][0] == "Metric"
    assert "9" not in by_row
    assert not m.Point.objects.exists()
    assert not m.CollectionRun.objects.exists()


def test_the_metric_page_shows_its_standing_and_last_30_days(signed_in, admin_a, org_a):
    metric = MetricFactory(organisation=org_a, name="disk_used", unit=m.Unit.PERCENT,
                           warning_threshold=80, critical_threshold=90)
    now = timezone.now()
    services.store_points([(metric.pk, now - datetime.timedelta(minutes=n), 70.0 + n)
                           for n in range(5)])
    services.roll_up()
    body = page(signed_in(admin_a).get(metric.get_absolute_url()))
    assert "Where it stands" in body
    assert "70 %" in body  # the latest value
    assert "20 %" in body  # headroom to critical
    assert "Within thresholds" in body
    assert 'id="chart-metric-days"' in body and "<svg" in body
    assert "72" in body  # today's mean in the table


def test_the_list_filters_by_where_metrics_stand(signed_in, admin_a, org_a):
    hot = MetricFactory(organisation=org_a, name="hot", latest_value=96.0)
    warm = MetricFactory(organisation=org_a, name="warm", latest_value=85.0)
    cool = MetricFactory(organisation=org_a, name="cool", latest_value=10.0)
    low = MetricFactory(organisation=org_a, name="free_space", direction=m.Direction.BELOW,
                        warning_threshold=20, critical_threshold=10, latest_value=15.0)
    MetricFactory(organisation=org_a, name="silent")
    client = signed_in(admin_a, api=True)

    def names(state):
        response = client.get("/api/capacity/metrics/", {"state": state})
        assert response.status_code == 200, response.content
        return sorted(r["name"] for r in response.json()["results"])

    assert names("critical") == [hot.name]
    assert names("warning") == sorted([warm.name, low.name])
    assert names("ok") == [cool.name]
    assert names("no_data") == ["silent"]
    page_body = page(signed_in(admin_a).get("/capacity/metrics/?state=critical"))
    assert "hot" in page_body and "warm" not in page_body


def test_the_rollups_and_points_are_read_through_the_metric(signed_in, admin_a, org_a, org_b):
    metric = MetricFactory(organisation=org_a)
    now = timezone.now().replace(microsecond=0)
    services.store_points([(metric.pk, now - datetime.timedelta(minutes=n), float(n))
                           for n in range(3)])
    services.roll_up()
    client = signed_in(admin_a, api=True)
    points = client.get(f"/api/capacity/metrics/{metric.pk}/points/").json()
    assert [p["value"] for p in points["results"]] == [2.0, 1.0, 0.0]
    days = client.get(f"/api/capacity/metrics/{metric.pk}/rollups/").json()["results"]
    assert days[0]["count"] == 3 and days[0]["p95"] == 2.0
    assert client.get(f"/api/capacity/metrics/{metric.pk}/rollups/?period=week"
                      ).status_code == 400
    other = signed_in(make_member(org_b, roles.ADMINISTRATOR), api=True)
    assert other.get(f"/api/capacity/metrics/{metric.pk}/points/").status_code == 404
    assert other.get(f"/api/capacity/metrics/{metric.pk}/rollups/").status_code == 404


def test_the_items_page_has_a_utilisation_panel(signed_in, admin_a, org_a):
    item = ConfigurationItemFactory(organisation=org_a, name="WEB01")
    MetricFactory(organisation=org_a, configuration_item=item, name="cpu_used",
                  latest_value=42.0, latest_at=timezone.now())
    body = page(signed_in(admin_a).get(item.get_absolute_url()))
    assert 'id="utilisation"' in body and "cpu_used" in body and "42" in body
    # a role that reads metrics but may not add them sees no panel for an item without any
    bare = ConfigurationItemFactory(organisation=org_a, name="BARE01")
    agent_body = page(signed_in(make_member(org_a, roles.AGENT)).get(bare.get_absolute_url()))
    assert 'id="utilisation"' not in agent_body


def test_collection_runs_are_listed_and_linked_from_jobs(signed_in, org_a, admin_a):
    from tests.accounts.factories import UserFactory

    superuser = UserFactory(is_superuser=True)
    from django.contrib.auth.models import Group

    from tests.accounts.factories import MembershipFactory

    MembershipFactory(user=superuser, organisation=org_a,
                      role=Group.objects.get(name=roles.ADMINISTRATOR), is_default=True)
    services.push(org_a.pk, "cpu,host=a v=1\ncpu v=oops", precision="s", actor=admin_a,
                  detail="curl")
    jobs = page(signed_in(superuser).get(reverse("core:jobs")))
    assert reverse("capacity:collectionrun_list") in jobs
    assert "capacity-rollups" in jobs and "capacity-retention" in jobs
    client = signed_in(admin_a)
    listing = page(client.get(reverse("capacity:collectionrun_list")))
    assert "Line protocol push" in listing
    run = m.CollectionRun.objects.get()
    body = page(client.get(reverse("capacity:collectionrun_detail", args=[run.pk])))
    assert "Line 2:" in body and "is not a number" in body
    other = signed_in(make_member(org_a.__class__.objects.create(name="Other", code="oth"),
                                  roles.ADMINISTRATOR))
    assert other.get(reverse("capacity:collectionrun_detail", args=[run.pk])).status_code == 404
