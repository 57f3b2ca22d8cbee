"""A small framework built with the factories, throwaway evidence rules, and people of
each role, for the assessments tests."""

from __future__ import annotations

from datetime import date

import pytest

from borough.core import roles
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, whole
from borough.core.registry import registry
from borough.standards import models as st
from borough.standards.assessments import services
from tests.conftest import make_member
from tests.factories import CriterionFactory, FrameworkFactory, StandardFactory, ThemeFactory

STATEMENT = st.CriterionKind.STATEMENT
EVIDENCE = st.CriterionKind.EVIDENCE


class Switch:
    """A rule whose answer the test sets; counts its runs."""

    def __init__(self, met=True):
        self.met = met
        self.calls = []

    def __call__(self, organisation, params, as_of):
        self.calls.append((organisation.pk, dict(params)))
        return EvidenceResult(
            met=self.met, summary=f"{params.get('count', 0)} things counted",
            figures={"count": params.get("count", 0)},
            links=(EvidenceLink("The list", "/service-desk/tickets/"),))


@pytest.fixture
def rules():
    """Registers test.switch (answer set by the test) and test.broken (raises); removes
    them afterwards."""
    switch = Switch()

    def broken(organisation, params, as_of):
        raise RuntimeError("database on fire")

    added = {
        "test.switch": EvidenceRule("test.switch", "Switch", "Counts things.", switch,
                                    (whole("count", 1),)),
        "test.broken": EvidenceRule("test.broken", "Broken", "Always fails.", broken),
    }
    before = dict(registry.evidence_rules)
    registry.evidence_rules.update(added)
    yield switch
    for name in added:
        registry.evidence_rules.pop(name, None)
    registry.evidence_rules.update({k: v for k, v in before.items() if k in added})


def build_framework(code="test-ict", version=1, *, extra_standard=False):
    """Two themes; three standards. "alpha" has criteria at every level (one an evidence
    check at Progressing); "beta" has Minimum only; "gamma" has none."""
    framework = FrameworkFactory(code=code, version=version, name=f"Test ICT v{version}")
    people = ThemeFactory(framework=framework, code="people", name="People", order=1)
    service = ThemeFactory(framework=framework, code="service", name="Service", order=2)
    alpha = StandardFactory(framework=framework, theme=people, code="alpha", name="Alpha skills",
                            order=1)
    beta = StandardFactory(framework=framework, theme=service, code="beta", name="Beta desk",
                           order=1)
    StandardFactory(framework=framework, theme=service, code="gamma",
                    name="Gamma sourcing", order=2)
    CriterionFactory(standard=alpha, level=1, code="a-min", text="Skills are recorded",
                     kind=STATEMENT)
    CriterionFactory(standard=alpha, level=2, code="a-prog-s", text="Training is planned",
                     kind=STATEMENT)
    CriterionFactory(standard=alpha, level=2, code="a-prog-e", text="Desk is busy",
                     kind=EVIDENCE, rule="test.switch", params={"count": 5})
    CriterionFactory(standard=alpha, level=3, code="a-exc", text="Skills are benchmarked",
                     kind=STATEMENT)
    CriterionFactory(standard=beta, level=1, code="b-min", text="A desk exists",
                     kind=EVIDENCE, rule="test.switch", params={"count": 5})
    if extra_standard:
        delta = StandardFactory(framework=framework, theme=people, code="delta",
                                name="Delta new", order=2)
        CriterionFactory(standard=delta, level=1, code="d-min", text="New thing", kind=STATEMENT)
    return framework


@pytest.fixture
def framework(db):
    return build_framework()


@pytest.fixture
def manager(org_a):
    return make_member(org_a, roles.ICT_MANAGER, "manager-a")


@pytest.fixture
def reviewer(org_a):
    return make_member(org_a, roles.ADMINISTRATOR, "reviewer-a")


@pytest.fixture
def auditor(org_a):
    return make_member(org_a, roles.AUDITOR, "auditor-a")


@pytest.fixture
def agent(org_a):
    return make_member(org_a, roles.AGENT, "agent-a")


@pytest.fixture
def requester(org_a):
    return make_member(org_a, roles.REQUESTER, "requester-a")


@pytest.fixture
def cycle(org_a, framework, manager):
    return services.start_cycle(org_a, actor=manager, framework=framework, name="Annual review 2026/27",
                                starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))


def rating_of(cycle, code):
    return st.StandardAssessment.objects.get(cycle=cycle, standard__code=code)


def result_of(rating, code):
    return st.CriterionResult.objects.get(rating=rating, criterion__code=code)


def complete(cycle, assessor, reviewer, level=1, target=2):
    """Rate and sign off every standard; returns the cycle submitted for approval."""
    for rating in st.StandardAssessment.objects.filter(cycle=cycle):
        rating = services.rate_standard(rating, actor=assessor, current_level=level, target_level=target,
                                        commentary="", expected_version=rating.version)
        services.sign_off_rating(rating, actor=reviewer, note="Agreed", expected_version=rating.version)
    cycle.refresh_from_db()
    return services.submit_cycle(cycle, actor=assessor, expected_version=cycle.version)
