"""Live evidence and the proposed level."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st_

from borough.core.evidence import EvidenceResult
from borough.core.registry import registry
from borough.standards import models as st
from borough.standards.assessments import evidence, services
from tests.standards.assessments.conftest import complete, rating_of, result_of

LEVELS = [st.Level.MINIMUM, st.Level.PROGRESSING, st.Level.EXCELLENT]


# --- the rule in isolation (no database) ---------------------------------------------------

def simple_supported(criteria):
    """Independent formulation: try each candidate level from the top down and take the
    first whose criteria, and all below, are met. Candidates are Below Minimum and the
    levels that have criteria."""
    candidates = sorted({0} | {lv for lv, _ in criteria}, reverse=True)
    for level in candidates:
        if all(met for lv, met in criteria if lv <= level):
            return level
    return 0


@given(st_.lists(st_.tuples(st_.sampled_from([1, 2, 3]), st_.booleans()), max_size=12))
def test_supported_level_matches_a_simple_formulation(criteria):
    assert evidence.supported_level(criteria) == simple_supported(criteria)


@given(st_.lists(st_.tuples(st_.sampled_from([1, 2, 3]), st_.booleans()), max_size=12))
def test_supported_level_is_a_level_whose_criteria_are_all_met(criteria):
    level = evidence.supported_level(criteria)
    assert level in (0, 1, 2, 3)
    assert all(met for lv, met in criteria if lv <= level)
    # One criterion more failing never raises the level.
    worse = [(lv, False) if i == 0 else (lv, met) for i, (lv, met) in enumerate(criteria)]
    assert evidence.supported_level(worse) <= level


@pytest.mark.parametrize("criteria, expected", [
    ([], 0),
    ([(1, False), (2, True), (3, True)], 0),            # nothing at Minimum → Below Minimum
    ([(1, True), (1, True), (2, False), (2, True)], 1),  # one Progressing fails → Minimum
    ([(1, True), (2, True), (3, False)], 2),
    ([(1, True), (2, True), (3, True)], 3),
    ([(1, True)], 1),                                    # nothing to check above Minimum
    ([(1, True), (3, True)], 3),                         # no Progressing criteria at all
    ([(1, True), (2, False), (3, True)], 1),             # Excellent needs Progressing too
])
def test_supported_level_cases(criteria, expected):
    assert evidence.supported_level(criteria) == expected


def fake_outcome(level, met, text, source="assessor", answered=True):
    criterion = SimpleNamespace(level=level, text=text, pk=hash(text))
    return evidence.CriterionOutcome(criterion, met, source, answered=answered)


def test_reasons_name_the_criteria_that_stop_the_next_level():
    rows = [fake_outcome(1, True, "Skills recorded"),
            fake_outcome(2, False, "Training planned", answered=False),
            fake_outcome(2, True, "Desk busy"),
            fake_outcome(3, False, "Benchmarked")]
    outcome = evidence.outcome_for(None, rows)
    assert outcome.supported_level == 1
    assert len(outcome.reasons) == 1
    assert "Not Progressing" in outcome.reasons[0]
    assert "Training planned" in outcome.reasons[0]
    assert "not confirmed it yet" in outcome.reasons[0]
    assert "Benchmarked" not in outcome.reasons[0]


def test_no_criteria_gives_below_minimum_with_a_reason():
    outcome = evidence.outcome_for(None, [])
    assert outcome.supported_level == 0
    assert "no criteria" in outcome.reasons[0]


def test_top_level_has_no_reasons():
    outcome = evidence.outcome_for(None, [fake_outcome(1, True, "a"), fake_outcome(3, True, "b")])
    assert outcome.supported_level == 3 and outcome.reasons == []


# --- against the database -------------------------------------------------------------------

@pytest.mark.django_db
def test_nothing_met_is_below_minimum(cycle, rules):
    rules.met = False
    outcome = evidence.evaluate_rating(rating_of(cycle, "alpha"))
    assert outcome.supported_level == st.Level.BELOW_MINIMUM
    assert outcome.supported_label == "Below Minimum"
    assert "Skills are recorded" in outcome.reasons[0]


@pytest.mark.django_db
def test_minimum_met_but_a_progressing_evidence_check_fails(cycle, rules, manager):
    rules.met = False
    alpha = rating_of(cycle, "alpha")
    for code in ("a-min", "a-prog-s", "a-exc"):
        row = result_of(alpha, code)
        services.answer_criterion(row, actor=manager, met=True, note="", expected_version=row.version)
    outcome = evidence.evaluate_rating(alpha)
    assert outcome.supported_level == st.Level.MINIMUM
    assert len(outcome.reasons) == 1
    assert "Desk is busy" in outcome.reasons[0]
    assert "5 things counted" in outcome.reasons[0]  # the rule's own summary
    check = next(c for c in outcome.criteria if c.criterion.code == "a-prog-e")
    assert check.source == "evidence" and check.met is False
    assert check.result.figures == {"count": 5} and check.method == "Counts things."
    statement = next(c for c in outcome.criteria if c.criterion.code == "a-min")
    assert statement.source == "assessor" and statement.met is True

    rules.met = True
    assert evidence.evaluate_rating(alpha).supported_level == st.Level.EXCELLENT


@pytest.mark.django_db
def test_assessor_saying_not_met_is_a_reason_in_its_own_words(cycle, rules, manager):
    alpha = rating_of(cycle, "alpha")
    row = result_of(alpha, "a-min")
    services.answer_criterion(row, actor=manager, met=False, note="No register", expected_version=row.version)
    outcome = evidence.evaluate_rating(alpha)
    assert outcome.supported_level == 0
    assert "the assessor says it is not met" in outcome.reasons[0]


@pytest.mark.django_db
def test_a_failing_or_missing_rule_could_not_be_checked(cycle, rules, manager):
    criterion = st.Criterion.objects.get(code="b-min")
    criterion.rule, criterion.params = "test.broken", {}
    criterion.save()
    outcome = evidence.evaluate_rating(rating_of(cycle, "beta"))
    row = outcome.criteria[0]
    assert row.checked is False and row.met is False and row.status == "could not be checked"
    assert outcome.supported_level == 0
    assert "could not be checked" in outcome.reasons[0]

    criterion.rule = "test.uninstalled"
    criterion.save()
    outcome = evidence.evaluate_rating(rating_of(cycle, "beta"))
    assert outcome.criteria[0].status == "could not be checked"
    assert "test.uninstalled" in outcome.criteria[0].note


@pytest.mark.django_db
def test_a_rule_returning_nonsense_could_not_be_checked(cycle, rules):
    rule = registry.evidence_rules["test.switch"]
    registry.evidence_rules["test.switch"] = rule.__class__(
        rule.name, rule.title, rule.method, lambda o, p, a: "yes", rule.params)
    try:
        outcome = evidence.evaluate_rating(rating_of(cycle, "beta"))
    finally:
        registry.evidence_rules["test.switch"] = rule
    assert outcome.criteria[0].status == "could not be checked"


@pytest.mark.django_db
def test_each_rule_and_params_runs_once_per_cycle_evaluation(cycle, rules):
    outcomes = evidence.evaluate_cycle(cycle)
    # alpha and beta both use test.switch with {"count": 5}: one run.
    assert len(rules.calls) == 1
    assert rules.calls[0][1] == {"count": 5}
    assert set(outcomes) == set(cycle.ratings.values_list("standard_id", flat=True))
    gamma = outcomes[rating_of(cycle, "gamma").standard_id]
    assert gamma.supported_level == 0 and "no criteria" in gamma.reasons[0]
    # A different parameter is a different run.
    st.Criterion.objects.filter(code="b-min").update(params={"count": 6})
    rules.calls.clear()
    evidence.evaluate_cycle(cycle)
    assert len(rules.calls) == 2


@pytest.mark.django_db
def test_rules_read_the_cycles_organisation(cycle, rules, org_a):
    evidence.evaluate_cycle(cycle)
    assert rules.calls[0][0] == org_a.pk


@pytest.mark.django_db
def test_an_approved_cycle_reads_its_snapshot_not_live_evidence(cycle, rules, manager, reviewer):
    rules.met = True
    alpha = rating_of(cycle, "alpha")
    for code in ("a-min", "a-prog-s"):
        row = result_of(alpha, code)
        services.answer_criterion(row, actor=manager, met=True, note="", expected_version=row.version)
    cycle = complete(cycle, manager, reviewer)
    services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version)
    cycle.refresh_from_db()
    alpha.refresh_from_db()
    assert alpha.evidence_level == st.Level.PROGRESSING
    snapshot = alpha.evidence_snapshot
    assert snapshot["supported_level"] == 2

    rules.met = False  # live data changes after approval
    rules.calls.clear()
    outcome = evidence.evaluate_rating(alpha)
    assert rules.calls == []  # no rule runs for an approved cycle
    assert outcome.from_snapshot and outcome.supported_level == st.Level.PROGRESSING
    check = next(c for c in outcome.criteria if c.criterion.code == "a-prog-e")
    assert check.met is True and isinstance(check.result, EvidenceResult)
    assert check.result.links[0].url == "/service-desk/tickets/"
    alpha.refresh_from_db()
    assert alpha.evidence_snapshot == snapshot
    assert evidence.evaluate_cycle(cycle)[alpha.standard_id].supported_level == 2
