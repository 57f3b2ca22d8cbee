"""The ICT manager's home page shows the latest review's standards against their targets
by theme and the action plan's overdue and soon-due actions, each count what its link
lists, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from borough.accounts.models import User
from borough.demo import organisations
from borough.demo import standards as demo
from borough.standards import models as st

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _today():
    """The demo plan is dated from this day (as the action plan's tests are)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(db):
    organisations.load("pw12345678xx")
    demo.load(NOW)
    return User.objects.get(username="cbc-ictmanager")


def plan_total(client, url: str) -> int:
    html = client.get(url).content.decode()
    return int(re.search(r'<p class="govuk-body">(\d+) actions?', html).group(1))


def test_the_latest_review_and_the_plan_at_a_glance(manager, client):
    client.force_login(manager)
    html = unescape(client.get(reverse("core:home")).content.decode())
    cycle = st.AssessmentCycle.objects.filter(organisation__code="cbc").order_by(
        "-starts_on").first()
    assert "ICT standards" in html and cycle.name in html
    table = html[html.index("Standards against their targets, by theme"):]
    table = table[:table.index("</table>")]
    cells = [int(n) for n in re.findall(r'numeric">(\d+)</td>', table)]
    assert sum(cells) == st.StandardAssessment.objects.filter(cycle=cycle).count()
    ratings = st.StandardAssessment.objects.filter(cycle=cycle)
    on_target = sum(1 for r in ratings if r.current_level is not None
                    and r.target_level is not None and r.current_level >= r.target_level)
    assert sum(cells[0::3]) == on_target

    figures = dict((label, (int(n), url)) for url, n, label in re.findall(
        r'href="([^"]+)" aria-label="(\d+) (actions [^"]+)"', html))
    overdue, overdue_url = figures["actions overdue"]
    assert overdue == st.Action.objects.filter(organisation__code="cbc").overdue(
        NOW.date()).count()
    for count, url in figures.values():
        assert plan_total(client, url) == count, url


def test_the_panel_costs_the_same_however_many_actions(manager, client):
    client.force_login(manager)

    def queries() -> int:
        client.get(reverse("core:home"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("core:home"))
        return len(captured)

    before = queries()
    action = st.Action.objects.filter(organisation__code="cbc").first()
    for n in range(20):
        st.Action.objects.create(organisation=action.organisation, reference=f"X-{n}",
                                 title=f"More {n}", status=st.ActionStatus.NOT_STARTED,
                                 due_on=NOW.date())
    assert queries() == before


def test_people_who_do_not_run_the_review_get_no_standards_panel(manager, client):
    client.force_login(User.objects.get(username="cbc-agent"))
    assert "ICT standards" not in client.get(reverse("core:home")).content.decode()
