from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from borough.core import roles
from borough.organisation.models import Person
from borough.servicedesk.models import SLAPolicy
from tests.conftest import make_member
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory


@pytest.fixture
def desk(org_a):
    """A small service desk: SLA policies P1–P5, a team with an agent and a lead, a requester."""
    for priority, (response, resolution) in {1: (30, 240), 2: (60, 480), 3: (240, 1530),
                                             4: (510, 2550), 5: (1020, 10200)}.items():
        SLAPolicy.objects.create(organisation=org_a, name=f"P{priority}", priority=priority,
                                 response_minutes=response, resolution_minutes=resolution)
    agent = make_member(org_a, roles.AGENT, "agent")
    lead = make_member(org_a, roles.TEAM_LEAD, "lead")
    requester = make_member(org_a, roles.REQUESTER, "requester")
    team = TeamFactory(organisation=org_a, name="Service Desk")
    for user, is_lead in ((agent, False), (lead, True)):
        person = PersonFactory(organisation=org_a, user=user, full_name=user.username.title())
        TeamMembershipFactory(organisation=org_a, team=team, person=person, is_lead=is_lead)
    requester_person = PersonFactory(organisation=org_a, user=requester, full_name="Rita Requester")
    for user in (agent, lead, requester):
        user.active_organisation_id = org_a.pk
    return type("Desk", (), {"org": org_a, "agent": agent, "lead": lead, "requester": requester,
                             "requester_person": requester_person, "team": team,
                             "Group": Group, "Person": Person})


@pytest.fixture
def rita(desk):
    """The requester, known to the desk by the address her mail comes from."""
    from tests.smtp import RITA

    desk.requester_person.email = RITA
    desk.requester_person.save()
    return desk.requester_person


@pytest.fixture
def mailbox(desk):
    """The desk's mailbox, as the mail tests make it, for the desk's tests of mail."""
    from tests.mail.conftest import make_mailbox  # here: tests/mail/conftest imports this

    return make_mailbox(desk)


@pytest.fixture
def gate(mailbox):
    """The SMTP gateway, running in this process, in front of the desk's mailbox."""
    from tests import smtp

    with smtp.gateway() as running:
        yield running


@pytest.fixture
def agent_client(desk, signed_in):
    """The service desk agent, signed in."""
    return signed_in(desk.agent)
