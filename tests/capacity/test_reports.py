"""A service's monthly utilisation report (capacity.reports): each metric's month on the
items the service runs on, exact against the daily figures written here; the page and
its spreadsheet; the owner told once a month."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from borough.capacity import models as m
from borough.capacity import reports
from borough.capacity.ingest import zone
from borough.capacity.stats import local_midnight
from borough.core import roles
from borough.core.models import Notification
from tests.capacity.factories import MetricFactory
from tests.catalogue.factories import ServiceComponentFactory
from tests.conftest import make_member
from tests.organisation.factories import PersonFactory

pytestmark = pytest.mark.django_db
NOVEMBER = datetime.date(2026, 11, 1)


def day(metric, date, *, mean, maximum, p95, count=24):
    m.Rollup.objects.create(metric=metric, period=m.Period.DAY,
                            start=local_midnight(date, zone()), count=count,
                            total=mean * count, minimum=0, mean=mean, maximum=maximum, p95=p95)


@pytest.fixture
def planning(org_a):
    owner = PersonFactory(organisation=org_a, user=make_member(org_a, roles.SERVICE_UNIT_HEAD,
                                                               "head"))
    component = ServiceComponentFactory(organisation=org_a, service__name="Planning",
                                        service__owner=owner)
    disk = MetricFactory(organisation=org_a, name="disk_used",
                         configuration_item=component.configuration_item,
                         warning_threshold=80, critical_threshold=90)
    day(disk, datetime.date(2026, 11, 3), mean=60, maximum=70, p95=68, count=24)
    day(disk, datetime.date(2026, 11, 20), mean=75, maximum=93, p95=88, count=12)
    day(disk, datetime.date(2026, 10, 31), mean=99, maximum=99, p95=99)  # not November
    return component.service, disk


def test_each_metrics_month_is_read_from_its_daily_figures(planning):
    service, disk = planning
    (month,) = reports.metric_months([disk], NOVEMBER)
    assert month.days == 2
    assert month.mean == pytest.approx((60 * 24 + 75 * 12) / 36)  # weighted by counts
    assert (month.peak, month.peak_day, month.p95) == (93, datetime.date(2026, 11, 20), 88)
    assert month.headroom_at_peak == -3 and month.state_at_peak == m.State.CRITICAL


def test_a_downward_metrics_peak_is_its_lowest_day_and_ties_go_to_the_first(planning):
    service, disk = planning
    free = MetricFactory(organisation=disk.organisation, name="disk_free",
                         configuration_item=disk.configuration_item,
                         direction=m.Direction.BELOW, warning_threshold=20,
                         critical_threshold=10)
    for date, low in ((3, 30), (9, 12), (21, 12), (25, 40)):
        m.Rollup.objects.create(metric=free, period=m.Period.DAY,
                                start=local_midnight(datetime.date(2026, 11, date), zone()),
                                count=24, total=24 * 50, minimum=low, mean=50, maximum=80,
                                p95=70 + date)
    day(disk, datetime.date(2026, 11, 25), mean=70, maximum=93, p95=80)  # ties the 20th
    silent = MetricFactory(organisation=disk.organisation, name="cpu_used",
                           configuration_item=disk.configuration_item)
    months = {mo.metric.pk: mo for mo in reports.metric_months([disk, free, silent],
                                                                 NOVEMBER)}
    assert (months[free.pk].peak, months[free.pk].peak_day) == (12, datetime.date(2026, 11, 9))
    assert months[free.pk].p95 == 95 and months[free.pk].days == 4
    assert months[free.pk].headroom_at_peak == 2
    assert months[disk.pk].peak_day == datetime.date(2026, 11, 20)
    assert (months[silent.pk].days, months[silent.pk].mean, months[silent.pk].peak,
            months[silent.pk].peak_day) == (0, None, None, None)


def test_the_report_page_and_spreadsheet_and_who_may_read_them(planning, signed_in, org_b):
    service, disk = planning
    url = reverse("capacity:service_report", args=[service.pk, 2026, 11])
    reader = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "manager"))
    page = reader.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "Planning" in text and "disk_used" in text
    assert "20 Nov" in text and "Critical" in text and "Show the data" in text
    sheet = load_workbook(io.BytesIO(reader.get(url + "?format=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Configuration item", "Metric", "Days with figures")
    assert rows[1][1:3] == ("disk_used", 2)
    document = reader.get(url + "?format=pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(document.content)).pages)
    assert "Planning" in words and "disk_used" in words and "November 2026" in words
    assert reader.get(reverse("capacity:service_report", args=[service.pk, 2026, 13])
                      ).status_code == 404
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"))
    assert outsider.get(url).status_code == 404
    requester = signed_in(make_member(service.organisation, roles.REQUESTER, "someone"))
    assert requester.get(url).status_code == 403
    listing = reader.get(reverse("capacity:report_list")).content.decode()
    assert "Planning" in listing


def test_the_owner_is_told_of_last_months_report_once(planning,
                                                      django_capture_on_commit_callbacks):
    service, _disk = planning
    now = datetime.datetime(2026, 12, 1, 6, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.publish(now) == 1
        assert reports.publish(now + datetime.timedelta(days=1)) == 0
    told = Notification.objects.get(event="capacity-monthly-report")
    assert told.recipient.username == "head" and "November 2026" in told.subject
    assert told.url == reverse("capacity:service_report", args=[service.pk, 2026, 11])


def test_the_api_gives_the_report_with_the_pages_permissions(planning, signed_in, org_b):
    service, disk = planning
    api = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "manager"), api=True)
    url = f"/api/capacity/service-reports/{service.pk}/"
    found = api.get(url + "?month=2026-11")
    assert found.status_code == 200, found.content
    (row,) = found.json()["metrics"]
    assert (row["metric"], row["days"], row["peak"], row["peak_on"]) == (disk.pk, 2, 93,
                                                                         "2026-11-20")
    assert row["state_at_peak"] == "critical" and row["headroom_at_peak"] == -3
    assert api.get(url + "?month=November").status_code == 400
    assert api.get("/api/capacity/service-reports/999999/").status_code == 404
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"), api=True)
    assert outsider.get(url).status_code == 404
    requester = signed_in(make_member(service.organisation, roles.REQUESTER, "someone"),
                          api=True)
    assert requester.get(url).status_code in (403, 404)


def test_the_capacity_plan_assembles_the_year_from_the_monthly_figures(planning, signed_in):
    from borough.capacity import forecasts

    service, disk = planning
    forecasts.forecast_all()
    reader = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "manager"))
    (row,), _expected = reports.capacity_plan(service.organisation_id, 2026,
                                              reader.session and make_member(
                                                  service.organisation, roles.AUDITOR, "a"))
    # April 2026 to March 2027: November's peak was 93 of a critical 90 (103.3%); October's
    # 99 of 90 (110%).
    assert row.service == service and row.metrics == 1
    assert row.months[7] == 103.3 and row.months[6] == 110.0 and row.months[0] is None
    page = reader.get(reverse("capacity:capacity_plan", args=[2026]))
    text = page.content.decode()
    assert page.status_code == 200 and "Capacity plan" in text and "103.3%" in text
    assert "2026/27" in text
    document = reader.get(reverse("capacity:capacity_plan", args=[2026]) + "?format=pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert reader.get(reverse("capacity:capacity_plan", args=[3000])).status_code == 404


def test_a_big_report_charts_the_peaks_nearest_their_threshold_and_tables_every_metric(
        planning, signed_in):
    service, disk = planning
    for n in range(26):
        metric = MetricFactory(organisation=disk.organisation, name=f"load_{n:02d}",
                               configuration_item=disk.configuration_item,
                               critical_threshold=100)
        day(metric, datetime.date(2026, 11, 5), mean=n, maximum=n + 1, p95=n)
    reader = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "manager"))
    text = reader.get(reverse("capacity:service_report", args=[service.pk, 2026, 11])
                      ).content.decode()
    assert "The 25 peaks nearest their critical threshold" in text
    chart = text[text.index('class="borough-chart"'):text.index("Each metric's month</caption>")]
    assert "load_25" in chart and "disk_used" in chart and "load_00" not in chart
    table = text[text.index("Each metric's month</caption>"):]
    assert all(f"load_{n:02d}" in table for n in range(26))
    assert '<td class="govuk-table__cell" data-label="Peak on">5 Nov</td>' in table


def test_a_month_out_of_range_is_not_found_not_a_500(org_a, signed_in):
    """Regression: /capacity/reports/services/<id>/1/1/ failed reading the month before
    year 1 (OverflowError)."""
    from tests.catalogue.factories import BusinessServiceFactory

    service = BusinessServiceFactory(organisation=org_a)
    client = signed_in(make_member(org_a, roles.ICT_MANAGER, "reader-of-months"))
    for year in (1, 9999):
        response = client.get(f"/capacity/reports/services/{service.pk}/{year}/1/")
        assert response.status_code == 404


def test_an_items_monthly_report_page_spreadsheet_and_api(planning, signed_in, org_b):
    service, disk = planning
    item = disk.configuration_item
    MetricFactory(organisation=disk.organisation, name="ping", configuration_item=item,
                  kind=m.Kind.UP_DOWN)  # availability's, not utilisation
    reader = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "manager"))
    url = reverse("capacity:item_report", args=[item.pk, 2026, 11])
    text = reader.get(url).content.decode()
    assert f"<h1 class=\"govuk-heading-l\">{item.name}</h1>" in text
    assert "disk_used" in text and "20 Nov" in text and ">ping<" not in text
    assert f"Peaks of {item.name} in November 2026" in text
    sheet = load_workbook(io.BytesIO(reader.get(url + "?format=xlsx").content)).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)] == ["Metric", "disk_used"]
    api = signed_in(make_member(service.organisation, roles.ICT_MANAGER, "apiuser"), api=True)
    found = api.get(f"/api/capacity/item-reports/{item.pk}/?month=2026-11").json()
    assert found["configuration_item"] == item.pk
    assert [(r["name"], r["peak"]) for r in found["metrics"]] == [("disk_used", 93)]
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"))
    assert outsider.get(url).status_code == 404
    outsider_api = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider2"), api=True)
    assert outsider_api.get(f"/api/capacity/item-reports/{item.pk}/").status_code == 404
    # The item's page links to last month's report.
    page = reader.get(item.get_absolute_url()).content.decode()
    assert "utilisation report of" in page
    assert reverse("capacity:item_report", args=[item.pk, 2026, 11]).rsplit("/", 4)[0] in page
