"""Factories for change management's records."""

from __future__ import annotations

import datetime

import factory

from borough.changes import models as m
from borough.core import references
from tests.accounts.factories import UserFactory
from tests.catalogue.factories import BusinessServiceFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory
from tests.servicedesk.factories import TicketFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")
UTC = datetime.UTC


class PersonWithLoginFactory(PersonFactory):
    user = factory.SubFactory(UserFactory)


class RiskQuestionFactory(OrgOwnedFactory):
    class Meta:
        model = m.RiskQuestion

    question = factory.Sequence(lambda n: f"Does it touch system {n} in working hours?")
    raises_to = m.Level.MEDIUM
    position = factory.Sequence(lambda n: n)


class ChangeTemplateFactory(OrgOwnedFactory):
    class Meta:
        model = m.ChangeTemplate

    name = factory.Sequence(lambda n: f"Standard change {n}")
    description = "A change made the same way each time."
    implementation_plan = "Follow the build procedure."
    test_plan = "Sign in and open the main applications."
    backout_plan = "Restore the previous image."
    risk_level = m.Level.LOW
    usual_minutes = 90


class BoardFactory(OrgOwnedFactory):
    class Meta:
        model = m.Board

    name = factory.Sequence(lambda n: f"Change advisory board {n}")
    kind = m.BoardKind.CAB
    chair = factory.SubFactory(PersonWithLoginFactory, organisation=SAME_ORGANISATION)
    quorum = 2


class BoardMemberFactory(OrgOwnedFactory):
    class Meta:
        model = m.BoardMember

    board = factory.SubFactory(BoardFactory, organisation=SAME_ORGANISATION)
    member = factory.SubFactory(PersonWithLoginFactory, organisation=SAME_ORGANISATION)
    represents = "Infrastructure"


class ChangeFactory(OrgOwnedFactory):
    class Meta:
        model = m.Change

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "CHG"))
    title = factory.Sequence(lambda n: f"Upgrade the file server, step {n}")
    description = "Apply the vendor's update and restart."
    reason = "Security fixes."
    change_type = m.ChangeType.NORMAL
    planned_start = factory.Sequence(
        lambda n: datetime.datetime(2030, 1, 7, 19, 0, tzinfo=UTC) + datetime.timedelta(days=n))
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + datetime.timedelta(hours=2))


class CausedIncidentFactory(OrgOwnedFactory):
    class Meta:
        model = m.CausedIncident

    change = factory.SubFactory(ChangeFactory, organisation=SAME_ORGANISATION)
    ticket = factory.SubFactory(TicketFactory, organisation=SAME_ORGANISATION)
    note = "The restart dropped the drives."


class MeetingFactory(OrgOwnedFactory):
    class Meta:
        model = m.Meeting

    board = factory.SubFactory(BoardFactory, organisation=SAME_ORGANISATION)
    starts_at = factory.Sequence(
        lambda n: datetime.datetime(2030, 1, 8, 10, 0, tzinfo=UTC) + datetime.timedelta(days=7 * n))
    location = "Committee room 2"


class ScheduleWindowFactory(OrgOwnedFactory):
    class Meta:
        model = m.ScheduleWindow

    name = factory.Sequence(lambda n: f"Freeze {n}")
    kind = m.WindowKind.FREEZE
    # Noon: a midnight start lands, some month, in the hour the clocks go back, which
    # happens twice and which a form therefore refuses.
    starts_at = factory.Sequence(
        lambda n: datetime.datetime(2031, 3, 1, 12, 0, tzinfo=UTC) + datetime.timedelta(days=30 * n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(days=14))
    reason = "Annual billing."


class MaintenanceWindowFactory(OrgOwnedFactory):
    class Meta:
        model = m.MaintenanceWindow

    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    weekday = m.Weekday.SATURDAY
    starts = datetime.time(20, 0)
    ends = datetime.time(0, 0)


FACTORIES = {m.RiskQuestion: RiskQuestionFactory, m.ChangeTemplate: ChangeTemplateFactory,
             m.Board: BoardFactory, m.BoardMember: BoardMemberFactory, m.Change: ChangeFactory,
             m.CausedIncident: CausedIncidentFactory, m.Meeting: MeetingFactory,
             m.ScheduleWindow: ScheduleWindowFactory,
             m.MaintenanceWindow: MaintenanceWindowFactory}
