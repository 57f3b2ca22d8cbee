"""The home page: panels registered by the apps, each for the people it serves; a
platform administrator is told which background jobs failed on their last run."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.core.home import HomePanel, panels_for
from borough.core.models import JobOutcome, JobRun
from borough.core.registry import registry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_panels_show_lowest_order_first_and_only_for_those_they_serve(rf, monkeypatch):
    seen = []
    monkeypatch.setattr(registry, "home_panels", [
        HomePanel("late", "t.html", lambda r: seen.append("late") or {"n": 2}, order=50),
        HomePanel("never", "t.html", lambda r: None, order=1),
        HomePanel("early", "t.html", lambda r: {"n": 1}, order=10),
    ])
    assert [p["name"] for p in panels_for(rf.get("/"))] == ["early", "late"]
    with pytest.raises(ValueError, match="twice"):
        registry.add_home_panel(HomePanel("early", "t.html", lambda r: None))


def test_a_platform_administrator_is_told_which_jobs_failed(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    now = timezone.now()
    JobRun.objects.create(name="prune-job-runs", via="inline", started_at=now,
                          finished_at=now, outcome=JobOutcome.FAILED, error="disk full")
    JobRun.objects.create(name="clear-expired-sessions", via="inline", started_at=now,
                          finished_at=now, outcome=JobOutcome.SUCCEEDED)
    html = client.get(reverse("core:home")).content.decode()
    jobs = len(registry.periodic_jobs)
    assert f"1 of {jobs} background jobs</a> failed on their last run" in html
    assert "prune-job-runs" in html and "clear-expired-sessions" not in html.split(
        "failed on their last run")[1].split("</strong>")[0]
    assert f'href="{reverse("core:jobs")}"' in html


def test_nobody_else_sees_the_jobs(client, member):
    from borough.core import roles

    client.force_login(member(roles.ICT_MANAGER))
    assert "Background jobs" not in client.get(reverse("core:home")).content.decode()
