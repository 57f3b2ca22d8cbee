"""A council with a change advisory board for the change tests: the change manager, a
CAB of three seats (each with a deputy) chaired by the ICT manager with a quorum of two,
an emergency board of one seat, risk questions, and a small estate (an application that
runs on a server, which runs on a host) delivering the Council Tax service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from borough.changes import models as m
from borough.changes import services
from borough.cmdb.models import RelationshipType
from borough.core import roles
from tests.changes.factories import BoardFactory, BoardMemberFactory, RiskQuestionFactory
from tests.conftest import make_member
from tests.factories import (
    BusinessServiceFactory,
    ConfigurationItemFactory,
    PersonFactory,
    RelationshipFactory,
    ServiceComponentFactory,
)

UTC = datetime.UTC
# A Saturday evening in winter (UTC is local time then).
SATURDAY = datetime.datetime(2030, 1, 12, 19, 0, tzinfo=UTC)


@dataclass
class Council:
    org: object
    users: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)

    def person(self, key, role, name):
        user = make_member(self.org, role, f"{self.org.code}-{key}")
        user.active_organisation_id = self.org.pk
        self.users[key] = user
        self.people[key] = PersonFactory(organisation=self.org, user=user, full_name=name,
                                         email=f"{key}@copeland.example.gov.uk")
        user.email = f"{key}@copeland.example.gov.uk"
        user.save(update_fields=["email"])
        return user

    def change(self, *, title="Patch the revenues server", items=("server",), start=SATURDAY,
               hours=2, change_type=m.ChangeType.NORMAL, by="manager", **fields) -> m.Change:
        """A draft change through the services, on the named items and the service."""
        from borough.core import services as core

        change = m.Change(organisation_id=self.org.pk, title=title,
                          description="Apply the update and restart.", change_type=change_type,
                          planned_start=start, planned_end=start + datetime.timedelta(hours=hours),
                          owner=self.people["manager"], **fields)
        return core.create_record(change, actor=self.users[by], many_to_many={
            "configuration_items": [self.items[k] for k in items],
            "services": [self.items["service"]]})

    def assessed(self, change, *, yes=(), impact="medium") -> m.Change:
        services.submit(change, actor=self.users["manager"])
        answers = {q.pk: q.question in yes for q in self.questions}
        change.refresh_from_db()
        services.assess(change, actor=self.users["manager"], impact_level=impact,
                        answers=answers, impact="Council Tax staff cannot work for two hours.")
        change.refresh_from_db()
        for name in ("implementation_plan", "test_plan", "backout_plan"):
            setattr(change, name, f"The {name.replace('_', ' ')}.")
        change.save()
        return change

    def with_board(self, change) -> m.Change:
        change = self.assessed(change)
        services.request_authorisation(change, actor=self.users["manager"])
        change.refresh_from_db()
        return change


def copeland(org) -> Council:
    council = Council(org)
    council.person("manager", roles.CHANGE_MANAGER, "Cara Manager")
    council.person("chair", roles.ICT_MANAGER, "Ian Tyson")
    council.person("chairdeputy", roles.CAB_MEMBER, "Dee Puty")
    for key in ("cab1", "cab2", "cab3", "dep1", "dep2", "dep3", "ecab"):
        council.person(key, roles.CAB_MEMBER, f"Member {key}")
    council.person("agent", roles.AGENT, "Andy Gale")
    council.person("lead", roles.TEAM_LEAD, "Lee Lead")
    council.person("auditor", roles.AUDITOR, "Audrey Dent")
    council.person("requester", roles.REQUESTER, "Rita Quinn")
    council.person("admin", roles.ADMINISTRATOR, "Ada Min")
    council.person("unithead", roles.SERVICE_UNIT_HEAD, "Una Head")
    council.person("security", roles.SECURITY_OFFICER, "Sid Secure")
    council.cab = BoardFactory(organisation=org, name="Change advisory board",
                               chair=council.people["chair"],
                               chair_deputy=council.people["chairdeputy"], quorum=2)
    council.seats = [BoardMemberFactory(organisation=org, board=council.cab,
                                        member=council.people[f"cab{i}"],
                                        deputy=council.people[f"dep{i}"]) for i in (1, 2, 3)]
    council.ecab = BoardFactory(organisation=org, name="Emergency CAB",
                                kind=m.BoardKind.EMERGENCY, chair=council.people["chair"],
                                quorum=1)
    BoardMemberFactory(organisation=org, board=council.ecab, member=council.people["ecab"])
    council.questions = [
        RiskQuestionFactory(organisation=org, question="Is the service down while it is made?",
                            raises_to=m.Level.MEDIUM, position=1),
        RiskQuestionFactory(organisation=org, question="Is it hard to back out?",
                            raises_to=m.Level.HIGH, position=2),
    ]
    host = ConfigurationItemFactory(organisation=org, name="WHVHOST01")
    server = ConfigurationItemFactory(organisation=org, name="REVSRV01")
    app = ConfigurationItemFactory(organisation=org, name="Revenues")
    RelationshipFactory(organisation=org, source=app, target=server,
                        relationship_type=RelationshipType.RUNS_ON)
    RelationshipFactory(organisation=org, source=server, target=host,
                        relationship_type=RelationshipType.RUNS_ON)
    service = BusinessServiceFactory(organisation=org, name="Council Tax")
    ServiceComponentFactory(organisation=org, service=service, configuration_item=app)
    council.items = {"host": host, "server": server, "app": app, "service": service,
                     "other": ConfigurationItemFactory(organisation=org, name="PRINTSRV")}
    return council
