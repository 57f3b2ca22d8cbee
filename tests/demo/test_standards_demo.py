"""The standards demo: written through the services, so it must satisfy their rules."""

from datetime import UTC, datetime

import pytest
import time_machine

from borough.demo import organisations
from borough.demo import standards as demo
from borough.standards import models as st

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)  # the demo is written at the real now; services check dates
def test_demo_council_gets_two_reviews_and_an_action_plan():
    organisations.load("demo-password-1")
    counts = demo.load(NOW)

    assert counts["frameworks loaded"] == 1
    cycles = st.AssessmentCycle.objects.filter(organisation__code="cbc").order_by("starts_on")
    assert [(c.name, c.status) for c in cycles] == [
        ("Annual review 2025/26", st.CycleStatus.APPROVED),
        ("Annual review 2026/27", st.CycleStatus.IN_PROGRESS),
    ]
    approved = st.StandardAssessment.objects.filter(cycle=cycles[0])
    assert approved.count() == 19
    assert not approved.filter(current_level=None).exists()
    assert not approved.filter(reviewed_by=None).exists()
    assert not approved.filter(evidence_level=None).exists()
    staff_skills = approved.get(standard__code="staff-ict-skills")
    assert staff_skills.current_level == st.Level.BELOW_MINIMUM  # as the strategy says
    in_progress = st.StandardAssessment.objects.filter(cycle=cycles[1])
    assert in_progress.exclude(current_level=None).count() == len(demo.RATED_THIS_YEAR)

    actions = st.Action.objects.filter(organisation__code="cbc")
    assert actions.count() == len(demo.ACTIONS)
    assert actions.overdue(NOW.date()).exists()
    assert all(a.updates.exists() and a.standards.exists() for a in actions)
    assert st.CorporateObjective.objects.filter(organisation__code="cbc").count() == 5
    assert st.Action.objects.filter(organisation__code="edc").count() == 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_demo_runs_again_without_change():
    organisations.load("demo-password-1")
    demo.load(NOW)
    again = demo.load(NOW)
    assert again == {"frameworks loaded": 0}
    assert st.AssessmentCycle.objects.count() == 2
