"""Correcting time logged, in headless Chromium with axe: the agent follows an entry's
Correct link to a form filled in with its values, is told what is missing, and the
corrected figure and its reason show on the ticket."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.servicedesk import services
from borough.servicedesk.models import WorkLog
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_corrects_a_typo_in_time_logged(page, axe, screenshot, desk):  # noqa: F811
    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type="incident",
                                   requester=desk.requester_person, title="Printer jammed",
                                   description="Every page.")
    log = services.log_time(ticket, actor=desk.agent, minutes=600, note="Cleared the jam")
    sign_in(page, desk.agent.username)
    page.goto(reverse("servicedesk:ticket_detail", args=[ticket.pk]))
    page.get_by_role("link", name="Correct 600 minutes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Correct time logged"
    assert page.get_by_label("Time spent (minutes)").input_value() == "600"
    assert page.get_by_label("What was done").input_value() == "Cleared the jam"
    axe(page, "the correction form")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page, "the correction form on a phone")
    screenshot("correct-time-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Time spent (minutes)").fill("60")
    page.get_by_role("button", name="Correct time logged").click()
    assert "Say why the time logged is changed." in page.inner_text("main")
    assert page.get_by_label("Time spent (minutes)").input_value() == "60"  # kept
    axe(page, "the correction form with an error")
    page.get_by_label("Why").fill("Typed a zero too many")
    page.get_by_role("button", name="Correct time logged").click()
    page.wait_for_url(f"**{reverse('servicedesk:ticket_detail', args=[ticket.pk])}")
    main = page.inner_text("main")
    assert "Time corrected: 60 minutes." in main and "Total: 1 h" in main
    screenshot("corrected")
    assert WorkLog.objects.get(pk=log.pk).minutes == 60
