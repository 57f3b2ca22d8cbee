"""Problem management's evidence rules: met, not met, at the threshold, as at a date, and
per council."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from borough.core.registry import registry
from borough.problems import services
from borough.problems.models import Problem
from tests.factories import (
    ConfigurationItemFactory,
    KnownErrorFactory,
    KnownErrorUseFactory,
    OrganisationFactory,
    set_ticket_times,
)
from tests.problems.conftest import raise_incident

pytestmark = pytest.mark.django_db


def run(name, organisation, as_of=None, **params):
    return registry.evidence_rules[name].run(organisation, params, as_of or timezone.now())


def test_repeated_incidents_need_a_problem_each(desk):
    chamber = ConfigurationItemFactory(organisation=desk.org, name="WHV-AP-CHAMBER")
    switch = ConfigurationItemFactory(organisation=desk.org, name="MOR-CORE01")
    on_chamber = [raise_incident(desk, ci=chamber) for _ in range(3)]
    [raise_incident(desk, ci=switch) for _ in range(3)]
    raise_incident(desk, ci=ConfigurationItemFactory(organisation=desk.org))  # once only
    name = "problems.repeated-incidents-have-problems"
    result = run(name, desk.org)
    assert not result.met and result.figures["repeated_groups"] == 2
    assert set(result.figures["without_problem"]) == {"WHV-AP-CHAMBER", "MOR-CORE01"}
    before = timezone.now()
    services.raise_problem(Problem(organisation_id=desk.org.pk, title="Chamber"),
                           actor=desk.agent, incidents=on_chamber[:1])
    half = run(name, desk.org)
    assert half.figures["percent"] == 50.0 and not half.met
    assert run(name, desk.org, target_percent=50).met  # at the threshold
    assert not run(name, desk.org, as_of=before).figures["with_problem"]  # not yet then
    # Four incidents needed: none repeat that often.
    assert run(name, desk.org, min_incidents=4).figures["repeated_groups"] == 0
    assert not run(name, OrganisationFactory(code="oth", name="Other")).met


def test_incidents_too_far_apart_do_not_repeat(desk):
    ci = ConfigurationItemFactory(organisation=desk.org)
    incidents = [raise_incident(desk, ci=ci) for _ in range(3)]
    for days, incident in zip((0, 20, 40), incidents, strict=True):
        set_ticket_times(incident, created=timezone.now() - datetime.timedelta(days=days))
    name = "problems.repeated-incidents-have-problems"
    assert run(name, desk.org, window_days=28).figures["repeated_groups"] == 0
    assert run(name, desk.org, window_days=40).figures["repeated_groups"] == 1


def test_known_errors_with_workarounds_and_their_use(desk):
    name = "problems.known-errors-with-workarounds"
    assert not run(name, desk.org).met
    known = KnownErrorFactory(organisation=desk.org)
    result = run(name, desk.org)
    assert result.met and result.figures["with_workaround"] == 1
    assert not run(name, desk.org, min_known_errors=2).met
    assert not run(name, desk.org, as_of=known.created_at - datetime.timedelta(seconds=1)).met
    used = "problems.known-errors-used"
    KnownErrorUseFactory(organisation=desk.org, known_error=known, fixed=True)
    KnownErrorUseFactory(organisation=desk.org, known_error=known, fixed=False)
    assert run(used, desk.org, min_fixed=1).met
    assert not run(used, desk.org, min_fixed=2).met
    assert run(used, desk.org, min_fixed=1).figures["fixed"] == 1
