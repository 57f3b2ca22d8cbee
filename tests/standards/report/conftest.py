"""A small assessed cycle for the committee report: two themes, three rated standards
(one checked by a live-evidence rule registered for the test), one unrated standard,
evidence, actions with progress notes, a corporate objective, targets and an approved
previous cycle."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from borough.core import roles
from borough.core.evidence import EvidenceResult, EvidenceRule, number
from borough.core.registry import registry
from borough.standards import models as st
from tests.conftest import make_member
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AssessmentCycleFactory,
    CorporateObjectiveFactory,
    CriterionFactory,
    CriterionResultFactory,
    EvidenceFactory,
    FrameworkFactory,
    PersonFactory,
    StandardAssessmentFactory,
    StandardFactory,
    TargetFactory,
    ThemeFactory,
)

RULE = "tests.report-desk-figures"


def _desk_check(organisation, params, as_of):
    return EvidenceResult(met=False, summary="71 of 100 priority 1 and 2 calls resolved in target",
                          figures={"compliance_percent": 71.0, "target_percent": 90})


@pytest.fixture
def desk_rule(monkeypatch):
    monkeypatch.setitem(registry.evidence_rules, RULE, EvidenceRule(
        RULE, "SLA compliance for the test", "Counts resolved calls.", _desk_check,
        (number("target_percent", 90, minimum=0, maximum=100),)))
    return RULE


@pytest.fixture
def world(org_a, desk_rule):
    framework = FrameworkFactory(code="ict-test", name="ICT test framework")
    service = ThemeFactory(framework=framework, code="service-delivery", name="Service delivery",
                           order=1)
    people = ThemeFactory(framework=framework, code="staff-skills", name="Staff skills", order=2)
    desk = StandardFactory(theme=service, code="service-desk", name="Service desk operation",
                           order=1)
    change = StandardFactory(theme=service, code="change", name="Change management", order=2)
    skills = StandardFactory(theme=people, code="skills", name="Skills and training", order=1)
    unrated = StandardFactory(theme=people, code="recruitment", name="Recruitment of ICT staff",
                              order=2)

    # Criteria: desk has a statement (Minimum) and a live-evidence check (Progressing).
    desk_min = CriterionFactory(standard=desk, level=st.Level.MINIMUM, code="desk-min",
                                text="A single point of contact logs every call")
    CriterionFactory(standard=desk, level=st.Level.PROGRESSING, code="desk-sla",
                     text="P1 and P2 calls meet the SLA target", kind=st.CriterionKind.EVIDENCE,
                     rule=RULE, params={"target_percent": 90})
    change_min = CriterionFactory(standard=change, level=st.Level.MINIMUM, code="change-min",
                                  text="Changes are approved before they are made")
    CriterionFactory(standard=skills, level=st.Level.MINIMUM, code="skills-min",
                     text="Each member of staff has a training plan")

    previous = AssessmentCycleFactory(
        organisation=org_a, framework=framework, name="Annual review 2025/26",
        starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    previous.status = st.CycleStatus.APPROVED
    previous.approved_at = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
    previous.save()
    for standard, level in ((desk, st.Level.BELOW_MINIMUM), (change, st.Level.MINIMUM),
                            (skills, st.Level.BELOW_MINIMUM)):
        StandardAssessmentFactory(organisation=org_a, cycle=previous, standard=standard,
                                  current_level=level, target_level=st.Level.PROGRESSING)

    cycle = AssessmentCycleFactory(
        organisation=org_a, framework=framework, name="Annual review 2026/27",
        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
        summary="ICT supports the council's priorities.\n\nThis year we close the skills gap.")
    desk_rating = StandardAssessmentFactory(
        organisation=org_a, cycle=cycle, standard=desk, current_level=st.Level.PROGRESSING,
        target_level=st.Level.EXCELLENT, commentary="The desk is well run.")
    change_rating = StandardAssessmentFactory(
        organisation=org_a, cycle=cycle, standard=change, current_level=st.Level.MINIMUM,
        target_level=st.Level.MINIMUM)
    skills_rating = StandardAssessmentFactory(
        organisation=org_a, cycle=cycle, standard=skills, current_level=st.Level.BELOW_MINIMUM,
        target_level=st.Level.PROGRESSING)
    StandardAssessmentFactory(organisation=org_a, cycle=cycle, standard=unrated)
    CriterionResultFactory(organisation=org_a, rating=desk_rating, criterion=desk_min, met=True)
    CriterionResultFactory(organisation=org_a, rating=change_rating, criterion=change_min,
                           met=True)
    EvidenceFactory(organisation=org_a, rating=desk_rating, title="Service desk procedures manual",
                    url="https://intranet.example.gov.uk/desk-manual")
    EvidenceFactory(organisation=org_a, rating=skills_rating, title="Training needs analysis 2026",
                    note="Only 4 of 12 staff have a plan.")

    owner = PersonFactory(organisation=org_a, full_name="Morag Pennington")
    objective = CorporateObjectiveFactory(organisation=org_a, code="CP2",
                                          title="Efficient modern services", plan="Corporate Plan")
    national = TargetFactory(organisation=org_a, code="BVPI 157", title="Electronic service delivery",
                             scope=st.TargetScope.NATIONAL)
    TargetFactory(organisation=org_a, code="LT1", title="Local call answering target",
                  scope=st.TargetScope.LOCAL)
    training = ActionFactory(organisation=org_a, cycle=cycle, theme=people, owner=owner,
                             title="Write a training plan for every member of staff",
                             due_on=date(2026, 9, 30), status=st.ActionStatus.IN_PROGRESS,
                             rag=st.RAG.AMBER)
    training.standards.set([skills])
    training.objectives.set([objective])
    training.targets.set([national])
    ActionUpdateFactory(organisation=org_a, action=training, note="Plans drafted for 4 of 12 staff",
                        rag=st.RAG.AMBER, status=st.ActionStatus.IN_PROGRESS)
    sla = ActionFactory(organisation=org_a, cycle=cycle, owner=owner,
                        title="Report SLA compliance to the management team monthly",
                        due_on=date(2027, 1, 31), rag=st.RAG.GREEN)
    sla.standards.set([desk])
    return {
        "framework": framework, "cycle": cycle, "previous": previous,
        "standards": {"desk": desk, "change": change, "skills": skills, "unrated": unrated},
        "actions": {"training": training, "sla": sla}, "objective": objective,
    }


@pytest.fixture
def manager(org_a):
    return make_member(org_a, roles.ICT_MANAGER, "cbc-ict-manager")
