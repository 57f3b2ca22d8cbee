"""Factories for problems, their analysis steps and linked incidents, known errors and
their uses, cause categories and trend rules."""

from __future__ import annotations

import factory

from borough.core import references
from borough.problems import models as m
from tests.organisation.factories import OrgOwnedFactory
from tests.servicedesk.factories import TicketFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class CauseCategoryFactory(OrgOwnedFactory):
    class Meta:
        model = m.CauseCategory

    name = factory.Sequence(lambda n: f"Cause {n}")
    description = "A kind of root cause the council reports on."


class TrendRuleFactory(OrgOwnedFactory):
    class Meta:
        model = m.TrendRule

    name = factory.Sequence(lambda n: f"Trend rule {n}")
    group_by = m.GroupBy.CI
    window_days = 28
    min_incidents = 3


class ProblemFactory(OrgOwnedFactory):
    class Meta:
        model = m.Problem

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "PRB"))
    title = factory.Sequence(lambda n: f"Recurring fault {n}")
    description = "Users lose their connection several times a day."


class AnalysisStepFactory(OrgOwnedFactory):
    class Meta:
        model = m.AnalysisStep

    problem = factory.SubFactory(ProblemFactory, organisation=SAME_ORGANISATION)
    position = factory.Sequence(lambda n: n % 5 + 1)
    text = factory.Sequence(lambda n: f"Why {n}? Because the step before it failed.")


class ProblemIncidentFactory(OrgOwnedFactory):
    class Meta:
        model = m.ProblemIncident

    problem = factory.SubFactory(ProblemFactory, organisation=SAME_ORGANISATION)
    ticket = factory.SubFactory(TicketFactory, organisation=SAME_ORGANISATION)


class KnownErrorFactory(OrgOwnedFactory):
    class Meta:
        model = m.KnownError

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "KE"))
    title = factory.Sequence(lambda n: f"Known fault {n}")
    symptoms = "The connection drops every few minutes."
    workaround = "Switch the laptop's wireless off and on again."


class KnownErrorUseFactory(OrgOwnedFactory):
    class Meta:
        model = m.KnownErrorUse

    known_error = factory.SubFactory(KnownErrorFactory, organisation=SAME_ORGANISATION)
    ticket = factory.SubFactory(TicketFactory, organisation=SAME_ORGANISATION)
    fixed = True


FACTORIES = {m.CauseCategory: CauseCategoryFactory, m.TrendRule: TrendRuleFactory,
             m.Problem: ProblemFactory, m.AnalysisStep: AnalysisStepFactory,
             m.ProblemIncident: ProblemIncidentFactory, m.KnownError: KnownErrorFactory,
             m.KnownErrorUse: KnownErrorUseFactory}
