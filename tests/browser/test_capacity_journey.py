"""An ICT manager reads a server's utilisation, sees its forecast and the capacity problem
it raised, in headless Chromium with axe, at 1280 and 390 px."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from borough.capacity import forecasts
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.capacity.factories import MetricFactory
from tests.capacity.test_forecasts import daily
from tests.catalogue.factories import ServiceComponentFactory
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ict_manager_reads_a_servers_forecast_and_the_problem_it_raised(
        page, axe, screenshot, org_a):
    make_member(org_a, roles.ICT_MANAGER, "manager")
    disk = MetricFactory(organisation=org_a, name="disk_used /srv",
                         configuration_item__name="FILE01", warning_threshold=85,
                         critical_threshold=95, latest_value=80,
                         latest_at=timezone.now() - datetime.timedelta(hours=1))
    ServiceComponentFactory(organisation=org_a, configuration_item=disk.configuration_item,
                            service__name="Planning")
    # Filling half a point a day to 80% yesterday: critical in about a month.
    today = timezone.localdate()
    daily(disk, [80 - 0.5 * (199 - n) for n in range(200)], today=today)
    forecasts.forecast_all()

    sign_in(page, "manager")
    page.goto(reverse("cmdb:configurationitem_detail", args=[disk.configuration_item.pk]))
    page.get_by_role("link", name="disk_used /srv").click()
    expect(page.get_by_role("heading", name="Forecast")).to_be_visible()
    main = page.inner_text("main")
    assert "Critical threshold crossed" in main and "Expected on" in main
    assert "How good it has been" in main and "Capacity problem raised" in main
    axe(page, "a metric with its forecast")
    screenshot("metric-forecast")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page, "a metric with its forecast on a phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("metric-forecast-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="PRB-").click()
    assert "FILE01" in page.get_by_role("heading", level=1).inner_text()
    assert "Planning" in page.inner_text("main")
    axe(page, "the capacity problem")
    # The server's own monthly report, from its Utilisation panel.
    page.goto(reverse("cmdb:configurationitem_detail", args=[disk.configuration_item.pk]))
    page.get_by_role("link", name="Last month's utilisation report of FILE01").click()
    assert page.get_by_role("heading", level=1).inner_text() == "FILE01"
    assert "disk_used /srv" in page.inner_text("main")
    axe(page, "a server's monthly utilisation report")
    screenshot("item-report")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page, "a server's monthly report on a phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("item-report-phone")


def test_a_head_of_service_reads_the_report_they_were_sent(page, axe, screenshot, org_a):
    from borough.capacity import reports
    from borough.core.models import Notification
    from tests.organisation.factories import PersonFactory

    head = PersonFactory(organisation=org_a, user=make_member(org_a, roles.SERVICE_UNIT_HEAD,
                                                              "head"))
    disk = MetricFactory(organisation=org_a, name="disk_used /srv",
                         configuration_item__name="FILE01", critical_threshold=95)
    ServiceComponentFactory(organisation=org_a, configuration_item=disk.configuration_item,
                            service__name="Planning", service__owner=head)
    first = reports.previous_month()
    daily(disk, [70 + (n % 5) for n in range(40)],
          today=(first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1))
    assert reports.publish() == 1
    told = Notification.objects.get(event="capacity-monthly-report")

    sign_in(page, "head")
    page.goto(told.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Planning"
    main = page.inner_text("main")
    assert "disk_used /srv" in main and "FILE01" in main and "Peak" in main
    axe(page, "a service's monthly utilisation report")
    screenshot("service-report")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page, "the report on a phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("service-report-phone")
    # The reports' page and the year's capacity plan assembled from them.
    page.goto(reverse("capacity:report_list"))
    axe(page, "last month's reports on a phone")
    page.get_by_role("link", name="The capacity plan of").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Capacity plan"
    assert "Planning" in page.inner_text("main")
    axe(page, "the capacity plan on a phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("capacity-plan-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    axe(page, "the capacity plan")
    screenshot("capacity-plan")
