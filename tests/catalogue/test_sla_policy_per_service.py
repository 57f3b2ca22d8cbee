"""SLA policies chosen per business service: a ticket whose service has its own policy
for the priority runs on it; otherwise the per-priority policies, as before.

The ticket's service is `Ticket.service` (the ticket-links work); `servicedesk.queries
.policy_for` reads its id."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from borough.core.registry import registry
from borough.servicedesk import queries
from borough.servicedesk import services as desk
from tests.factories import BusinessServiceFactory, SLAPolicyFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(org_a):
    payroll = BusinessServiceFactory(organisation=org_a, name="Payroll")
    email = BusinessServiceFactory(organisation=org_a, name="Email")
    general = SLAPolicyFactory(organisation=org_a, name="P2 for all", priority=2)
    incidents = SLAPolicyFactory(organisation=org_a, name="P2 incidents", priority=2,
                                 ticket_type="incident")
    own = SLAPolicyFactory(organisation=org_a, name="P2 payroll", priority=2,
                           business_service=payroll, response_minutes=15,
                           resolution_minutes=120)
    return {"payroll": payroll, "email": email, "general": general, "incidents": incidents,
            "own": own}


def ticket(org, service=None, **fields):
    made = TicketFactory.build(organisation=org, priority=2, **fields)
    if service is not None:
        made.service_id = service.pk
    return made


def test_a_services_own_policy_comes_first(org_a, policies):
    assert queries.policy_for(ticket(org_a, policies["payroll"])) == policies["own"]


def test_other_services_and_tickets_without_one_fall_back_to_per_priority(org_a, policies):
    assert queries.policy_for(ticket(org_a, policies["email"])) == policies["incidents"]
    assert queries.policy_for(ticket(org_a)) == policies["incidents"]
    assert queries.policy_for(ticket(org_a, ticket_type="request")) == policies["general"]


def test_a_saved_ticket_starts_its_clock_on_its_services_policy(org_a, policies):
    saved = TicketFactory(organisation=org_a, priority=2)
    saved.service_id = policies["payroll"].pk
    desk._apply_policy(saved, timezone.now(), restart=True)
    assert saved.sla_policy == policies["own"]


def test_a_policy_names_a_service_of_its_own_council(org_a, org_b):
    theirs = BusinessServiceFactory(organisation=org_b)
    policy = SLAPolicyFactory.build(organisation=org_a, business_service=theirs)
    with pytest.raises(ValidationError) as caught:
        policy.full_clean()
    assert caught.value.message_dict["business_service"] == ["Choose one from this organisation."]


def test_one_services_policy_does_not_cover_a_priority_for_the_desk(org_a):
    SLAPolicyFactory(organisation=org_a, priority=1,
                     business_service=BusinessServiceFactory(organisation=org_a))
    result = registry.evidence_rules["servicedesk.sla-policies-cover-priorities"].run(
        org_a, {"priorities": [1]}, timezone.now())
    assert not result.met
