"""The standards app's own evidence rules: report reviewed, annual review, action plan
current — met, not met, other organisations ignored, and answers as at `as_of`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from borough.core.registry import registry
from borough.standards.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AssessmentCycle,
    CycleStatus,
    ReportReview,
)
from tests.factories import (
    ActionFactory,
    ActionUpdateFactory,
    AssessmentCycleFactory,
    ReportReviewFactory,
    StandardAssessmentFactory,
    StandardFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2026, 7, 1, 12, 0, tzinfo=LONDON)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LONDON)


def run(name, organisation, **params):
    return registry.evidence_rules[name].run(organisation, params, AS_OF)


def backdate(obj, when=LONG_AGO):
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)
    obj.refresh_from_db()
    return obj


def review(org, reviewed_on, report="servicedesk-statistics"):
    return backdate(ReportReviewFactory(organisation=org, reviewed_on=reviewed_on, report=report))


# --- report reviewed ---------------------------------------------------------------------

def test_a_review_in_the_window_is_met_with_a_link_to_it(org_a):
    made = review(org_a, date(2026, 6, 1))
    result = run("standards.report-reviewed", org_a)
    assert result.met and result.figures["latest_review"] == "2026-06-01"
    assert result.links[0].url == f"/standards/reviews/{made.pk}/"
    assert "1 June 2026" in result.summary


def test_the_window_edge_and_outside_it(org_a):
    review(org_a, date(2026, 7, 1) - timedelta(days=93))
    assert not run("standards.report-reviewed", org_a).met
    review(org_a, date(2026, 7, 1) - timedelta(days=92))  # exactly within_days before
    assert run("standards.report-reviewed", org_a).met


def test_other_reports_councils_and_later_records_are_ignored(org_a, org_b):
    review(org_a, date(2026, 6, 1), report="action-plan")
    review(org_b, date(2026, 6, 1))
    ReportReviewFactory(organisation=org_a, reviewed_on=date(2026, 6, 2))  # recorded after as_of
    ReportReview.objects.filter(organisation=org_a, reviewed_on=date(2026, 6, 2)).update(
        created_at=AS_OF + timedelta(days=1))
    result = run("standards.report-reviewed", org_a)
    assert not result.met and result.figures["reviews"] == 0
    assert result.links[-1].url == "/standards/reviews/add/?report=servicedesk-statistics"
    assert run("standards.report-reviewed", org_a, report="action-plan").met


def test_an_unknown_report_name_is_reported_not_raised(org_a):
    result = run("standards.report-reviewed", org_a, report="nonsense")
    assert not result.met and "report must be one of" in result.summary


# --- annual review -----------------------------------------------------------------------

def approved(org, when, **kwargs):
    cycle = AssessmentCycleFactory(organisation=org, status=CycleStatus.APPROVED,
                                   approved_at=when, **kwargs)
    return backdate(cycle, min(when, LONG_AGO))


def test_a_cycle_approved_within_the_window_is_met(org_a):
    approved(org_a, AS_OF - timedelta(days=300), name="Annual review 2025/26")
    result = run("standards.annual-review", org_a)
    assert result.met and result.figures["days_since_approval"] == 300
    assert "Annual review 2025/26" in result.summary


def test_too_old_none_or_not_yet_approved_is_not_met(org_a, org_b):
    assert not run("standards.annual-review", org_a).met
    AssessmentCycleFactory(organisation=org_a)  # in progress
    approved(org_b, AS_OF - timedelta(days=10))
    assert "No assessment cycle has been approved" in run("standards.annual-review", org_a).summary
    approved(org_a, AS_OF - timedelta(days=401))
    assert not run("standards.annual-review", org_a).met
    approved(org_a, AS_OF + timedelta(days=1))  # approved after the moment checked
    assert not run("standards.annual-review", org_a).met
    assert run("standards.annual-review", org_a, within_days=402).met


# --- action plan current -----------------------------------------------------------------

@pytest.fixture
def assessed(org_a):
    """An approved cycle with one standard below target and one at target."""
    cycle = approved(org_a, AS_OF - timedelta(days=30), name="Annual review 2025/26")
    gap = StandardAssessmentFactory(organisation=org_a, cycle=cycle, current_level=1,
                                    target_level=2)
    StandardAssessmentFactory(organisation=org_a, cycle=cycle, current_level=2, target_level=2,
                              standard__theme=gap.standard.theme)
    return cycle, gap.standard


def action(org, standard, due=date(2026, 12, 31), status=ActionStatus.IN_PROGRESS):
    made = backdate(ActionFactory(organisation=org, due_on=due, status=status))
    made.standards.set([standard])
    return made


def test_every_gap_with_an_open_action_on_time_is_met(org_a, assessed):
    cycle, standard = assessed
    action(org_a, standard)
    result = run("standards.action-plan-current", org_a)
    assert result.met, result.summary
    assert result.figures["standards_with_gap"] == 1 and result.figures["open_actions"] == 1
    assert result.figures["cycle"] == "Annual review 2025/26"
    assert any(link.url == "/standards/actions/?overdue=true" for link in result.links)


def test_a_gap_without_an_open_action_is_not_met_and_named(org_a, org_b, assessed):
    _, standard = assessed
    action(org_a, standard, status=ActionStatus.DONE)
    action(org_b, standard)  # another council's plan
    result = run("standards.action-plan-current", org_a)
    assert not result.met
    assert result.figures["standards_without_open_action"] == [standard.name]
    assert standard.name in result.summary


def test_too_many_overdue_actions_is_not_met(org_a, assessed):
    _, standard = assessed
    action(org_a, standard)
    action(org_a, standard, due=date(2026, 6, 30))  # due the day before: overdue
    result = run("standards.action-plan-current", org_a)
    assert not result.met and result.figures["overdue_percent"] == 50.0
    assert run("standards.action-plan-current", org_a, max_overdue_percent=50).met


def test_an_action_on_a_newer_framework_version_answers_the_gap(org_a, assessed):
    _, standard = assessed
    newer = StandardFactory(code=standard.code, theme__framework__code=standard.framework.code,
                            theme__framework__version=2)
    action(org_a, newer)
    assert run("standards.action-plan-current", org_a).met


def test_status_is_read_as_it_stood_at_the_time_checked(org_a, assessed):
    _, standard = assessed
    done_later = action(org_a, standard, status=ActionStatus.DONE)
    update = ActionUpdateFactory(organisation=org_a, action=done_later,
                                 status=ActionStatus.IN_PROGRESS)
    ActionUpdate.objects.filter(pk=update.pk).update(created_at=AS_OF - timedelta(days=5))
    done = ActionUpdateFactory(organisation=org_a, action=done_later, status=ActionStatus.DONE)
    ActionUpdate.objects.filter(pk=done.pk).update(created_at=AS_OF + timedelta(days=5))
    assert run("standards.action-plan-current", org_a).met  # in progress on 1 July
    ActionUpdate.objects.filter(pk=update.pk).update(created_at=AS_OF - timedelta(days=40))
    ActionUpdate.objects.filter(pk=done.pk).update(created_at=AS_OF - timedelta(days=35))
    # done on 27 May, before the gap was rated in the cycle approved on 1 June
    assert not run("standards.action-plan-current", org_a).met


def test_an_action_finished_after_the_rating_answers_the_gap_until_the_next_one(org_a,
                                                                                 assessed):
    cycle, standard = assessed
    finished = action(org_a, standard, status=ActionStatus.IN_PROGRESS)
    done = ActionUpdateFactory(organisation=org_a, action=finished, status=ActionStatus.DONE)
    ActionUpdate.objects.filter(pk=done.pk).update(created_at=AS_OF - timedelta(days=3))
    result = run("standards.action-plan-current", org_a)
    assert result.met, result.summary
    assert result.figures["open_actions"] == 0

    # rated again after it was finished, and still below target: it needs a new action
    later = approved(org_a, AS_OF - timedelta(days=1), name="Follow-up review")
    StandardAssessmentFactory(organisation=org_a, cycle=later, standard=standard,
                              current_level=1, target_level=2)
    result = run("standards.action-plan-current", org_a)
    assert not result.met and result.figures["standards_without_open_action"] == [standard.name]


def test_an_action_reopened_after_being_done_counts_as_open_not_finished(org_a, assessed):
    _, standard = assessed
    reopened = action(org_a, standard, status=ActionStatus.IN_PROGRESS)
    for days, status in ((10, ActionStatus.DONE), (5, ActionStatus.BLOCKED)):
        note = ActionUpdateFactory(organisation=org_a, action=reopened, status=status)
        ActionUpdate.objects.filter(pk=note.pk).update(created_at=AS_OF - timedelta(days=days))
    result = run("standards.action-plan-current", org_a)
    assert result.met and result.figures["open_actions"] == 1


def test_actions_added_after_the_time_checked_do_not_count(org_a, assessed):
    _, standard = assessed
    later = action(org_a, standard)
    Action.objects.filter(pk=later.pk).update(created_at=AS_OF + timedelta(hours=1))
    assert not run("standards.action-plan-current", org_a).met


def test_no_assessment_yet_is_not_met(org_a):
    result = run("standards.action-plan-current", org_a)
    assert not result.met and "No assessment has been started" in result.summary


def test_before_any_approval_the_latest_cycle_started_is_used(org_a):
    cycle = backdate(AssessmentCycleFactory(organisation=org_a, starts_on=date(2026, 4, 1)))
    StandardAssessmentFactory(organisation=org_a, cycle=cycle, current_level=0, target_level=1)
    result = run("standards.action-plan-current", org_a)
    assert not result.met and result.figures["cycle"] == cycle.name
    assert AssessmentCycle.objects.count() == 1
