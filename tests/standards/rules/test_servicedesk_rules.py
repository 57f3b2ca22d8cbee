"""The service desk's evidence rules, each met and not met, with the edges: no tickets,
exactly at the target, other organisations' records, and the period boundary."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from borough.core.registry import registry
from borough.servicedesk.models import Satisfaction, SLAPolicy
from tests.factories import TicketFactory, set_ticket_times

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2026, 7, 1, 12, 0, tzinfo=LONDON)  # 91 days before: 1 April to 30 June 2026


def at(month, day, hour=12, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


NEW_YEAR, MAY_DAY, JUNE = at(1, 1), at(5, 1), at(6, 1)


def run(name, organisation, **params):
    return registry.evidence_rules[name].run(organisation, params, AS_OF)


def policy(org, priority, *, active=True, created=NEW_YEAR):
    made = SLAPolicy.objects.create(organisation=org, name=f"P{priority}", priority=priority,
                                    response_minutes=30, resolution_minutes=240,
                                    is_active=active)
    SLAPolicy.objects.filter(pk=made.pk).update(created_at=created)
    return made


def ticket(org, *, priority=1, created=MAY_DAY, resolved=None, breached=False, sla=True,
           responded=None, response_breached=None):
    made = TicketFactory(organisation=org, priority=priority)
    sla_policy = (SLAPolicy.objects.filter(organisation=org, priority=priority).first()
                  or policy(org, priority)) if sla else None
    return set_ticket_times(
        made, created=created, resolved=resolved, responded=responded, sla_policy=sla_policy,
        resolution_breached_at=resolved if breached else None,
        response_breached_at=response_breached, status="resolved" if resolved else "new")


def rate(t, score, when=JUNE):
    made = Satisfaction.objects.create(organisation_id=t.organisation_id, ticket=t, score=score)
    Satisfaction.objects.filter(pk=made.pk).update(created_at=when)


# --- SLA policies cover priorities -------------------------------------------------------

def test_every_priority_with_an_active_policy_is_met(org_a):
    for p in range(1, 6):
        policy(org_a, p)
    result = run("servicedesk.sla-policies-cover-priorities", org_a)
    assert result.met
    assert result.figures["missing"] == [] and result.figures["covered"] == [1, 2, 3, 4, 5]
    assert any(link.url == "/service-desk/sla-policies/" for link in result.links)


def test_a_missing_or_inactive_priority_is_not_met(org_a, org_b):
    for p in (1, 2, 4, 5):
        policy(org_a, p)
    policy(org_a, 3, active=False)
    policy(org_b, 3)  # another council's policy does not count
    result = run("servicedesk.sla-policies-cover-priorities", org_a)
    assert not result.met
    assert result.figures["missing"] == [3]
    assert "P3" in result.summary


def test_a_policy_created_after_the_date_checked_does_not_count(org_a):
    policy(org_a, 1, created=at(7, 2))
    assert not run("servicedesk.sla-policies-cover-priorities", org_a, priorities=[1]).met
    policy(org_a, 1, created=at(6, 30))
    assert run("servicedesk.sla-policies-cover-priorities", org_a, priorities=[1]).met


def test_no_policies_at_all_is_not_met(org_a):
    result = run("servicedesk.sla-policies-cover-priorities", org_a)
    assert not result.met and result.figures["missing"] == [1, 2, 3, 4, 5]


def test_bad_parameters_give_a_plain_not_met_result(org_a):
    result = run("servicedesk.sla-policies-cover-priorities", org_a, priorities=[0, 9])
    assert not result.met and "priorities" in result.summary
    result = run("servicedesk.sla-compliance", org_a, measure="speed")
    assert not result.met and "measure" in result.summary


# --- SLA compliance ----------------------------------------------------------------------

def test_exactly_at_the_target_is_met(org_a):
    for i in range(9):
        ticket(org_a, priority=1 + i % 2, resolved=at(5, 10 + i))
    ticket(org_a, priority=2, resolved=at(5, 20), breached=True)
    result = run("servicedesk.sla-compliance", org_a)
    assert result.met
    assert result.figures["tickets_measured"] == 10 and result.figures["within_target"] == 9
    assert result.figures["compliance_percent"] == 90.0
    assert "90.0% of 10 P1 and P2 tickets" in result.summary
    assert result.links[0].url == (
        "/service-desk/statistics/?date_from=2026-04-01&date_to=2026-06-30")


def test_below_the_target_is_not_met(org_a):
    for i in range(8):
        ticket(org_a, resolved=at(5, 10 + i))
    for i in range(2):
        ticket(org_a, resolved=at(6, 10 + i), breached=True)
    result = run("servicedesk.sla-compliance", org_a)
    assert not result.met and result.figures["compliance_percent"] == 80.0
    assert run("servicedesk.sla-compliance", org_a, target_percent=80).met


def test_no_tickets_is_not_met_and_says_why(org_a):
    result = run("servicedesk.sla-compliance", org_a)
    assert not result.met
    assert result.figures["tickets_measured"] == 0 and result.figures["compliance_percent"] is None
    assert "cannot be shown" in result.summary


def test_other_priorities_tickets_without_sla_and_other_councils_are_ignored(org_a, org_b):
    ticket(org_a, resolved=at(5, 10))
    ticket(org_a, priority=3, resolved=at(5, 11), breached=True)
    ticket(org_a, resolved=at(5, 12), sla=False)
    ticket(org_b, resolved=at(5, 13), breached=True)
    result = run("servicedesk.sla-compliance", org_a)
    assert result.met and result.figures["tickets_measured"] == 1


def test_the_period_is_whole_uk_days_before_the_day_checked(org_a):
    ticket(org_a, resolved=at(3, 31, 23, 59), breached=True)  # the day before the period
    ticket(org_a, resolved=at(4, 1, 0, 0))  # first minute of the period (BST)
    ticket(org_a, resolved=at(6, 30, 23, 59))  # last minute of the period
    ticket(org_a, resolved=at(7, 1, 0, 30), breached=True)  # the day checked: not yet
    result = run("servicedesk.sla-compliance", org_a)
    assert result.figures["tickets_measured"] == 2 and result.met
    assert result.figures["period_from"] == "2026-04-01"
    assert result.figures["period_to"] == "2026-06-30"


def test_response_measure_counts_responses_and_unanswered_breaches(org_a):
    ticket(org_a, responded=at(5, 1, 12, 10))
    ticket(org_a, responded=at(5, 2, 15), response_breached=at(5, 2, 13))
    ticket(org_a, response_breached=at(5, 3, 13))  # breached, never answered
    ticket(org_a, responded=at(3, 1))  # outside the period
    result = run("servicedesk.sla-compliance", org_a, measure="response", target_percent=30)
    assert result.figures["tickets_measured"] == 3 and result.figures["within_target"] == 1
    assert result.met and "responded to" in result.summary
    assert not run("servicedesk.sla-compliance", org_a, measure="response").met


# --- Satisfaction ------------------------------------------------------------------------

def test_enough_ratings_is_met_and_one_fewer_is_not(org_a, org_b):
    tickets = [ticket(org_a) for _ in range(10)]
    for t in tickets[:9]:
        rate(t, 4)
    other = ticket(org_b)
    rate(other, 5)
    result = run("servicedesk.satisfaction-measured", org_a)
    assert not result.met and result.figures["ratings"] == 9
    rate(tickets[9], 5)
    result = run("servicedesk.satisfaction-measured", org_a)
    assert result.met and result.figures["ratings"] == 10 and result.figures["mean_score"] == 4.1


def test_a_low_mean_is_not_met_when_a_minimum_average_is_set(org_a):
    for score in (3, 4):
        rate(ticket(org_a), score)
    assert run("servicedesk.satisfaction-measured", org_a, min_ratings=2, min_average=3.5).met
    assert not run("servicedesk.satisfaction-measured", org_a, min_ratings=2, min_average=3.6).met


def test_no_ratings_and_ratings_outside_the_period(org_a):
    rate(ticket(org_a), 5, when=at(3, 31, 23, 0))
    rate(ticket(org_a), 5, when=at(7, 1, 9, 0))
    result = run("servicedesk.satisfaction-measured", org_a, min_ratings=1)
    assert not result.met and result.figures["ratings"] == 0
    assert "No satisfaction ratings" in result.summary


# --- Desk in use -------------------------------------------------------------------------

def test_desk_in_use_at_the_minimum_is_met(org_a, org_b):
    for day in (1, 15, 30):
        ticket(org_a, created=at(4 if day == 1 else 6, day))
    ticket(org_a, created=at(3, 31, 23, 59))
    ticket(org_a, created=at(7, 1, 8))
    ticket(org_b, created=at(5, 5))
    result = run("servicedesk.desk-in-use", org_a, min_tickets=3)
    assert result.met and result.figures["tickets_logged"] == 3
    assert not run("servicedesk.desk-in-use", org_a, min_tickets=4).met


def test_an_unused_desk_is_not_met_with_the_default(org_a):
    result = run("servicedesk.desk-in-use", org_a)
    assert not result.met and result.figures == {
        "period_from": "2026-04-01", "period_to": "2026-06-30", "tickets_logged": 0,
        "min_tickets": 50}


def test_every_rule_documents_its_method_and_defaults():
    for name in ("servicedesk.sla-policies-cover-priorities", "servicedesk.sla-compliance",
                 "servicedesk.satisfaction-measured", "servicedesk.desk-in-use"):
        rule = registry.evidence_rules[name]
        assert rule.name == name and len(rule.method) > 60 and rule.defaults
    assert registry.evidence_rules["servicedesk.sla-compliance"].defaults == {
        "priorities": [1, 2], "target_percent": 90, "period_days": 91, "measure": "resolution"}
