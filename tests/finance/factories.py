"""Factories for ICT finance: cost centres, budgets, cost lines, commitments, pools."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.core import references
from borough.finance import models as m
from tests.organisation.factories import OrgOwnedFactory, ServiceUnitFactory, TeamFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class CostCentreFactory(OrgOwnedFactory):
    class Meta:
        model = m.CostCentre

    code = factory.Sequence(lambda n: f"ICT{n:04d}")
    name = factory.Sequence(lambda n: f"ICT cost centre {n}")


class BudgetFactory(OrgOwnedFactory):
    class Meta:
        model = m.Budget

    year = 2025
    cost_centre = factory.SubFactory(CostCentreFactory, organisation=SAME_ORGANISATION)
    amount = Decimal("120000.00")


class CostLineFactory(OrgOwnedFactory):
    class Meta:
        model = m.CostLine

    date = datetime.date(2025, 6, 15)
    amount = Decimal("1250.00")
    description = factory.Sequence(lambda n: f"Invoice {n}")
    cost_centre = factory.SubFactory(CostCentreFactory, organisation=SAME_ORGANISATION)


class CommitmentFactory(OrgOwnedFactory):
    class Meta:
        model = m.Commitment

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "CMT"))
    year = 2025
    cost_centre = factory.SubFactory(CostCentreFactory, organisation=SAME_ORGANISATION)
    amount = Decimal("5000.00")
    description = factory.Sequence(lambda n: f"Order {n}")
    date = datetime.date(2025, 9, 1)


class CostPoolFactory(OrgOwnedFactory):
    class Meta:
        model = m.CostPool

    year = 2025
    name = factory.Sequence(lambda n: f"Pool {n}")
    basis = m.Basis.PERCENTAGE
    amount = Decimal("10000.00")


class PoolShareFactory(OrgOwnedFactory):
    class Meta:
        model = m.PoolShare

    pool = factory.SubFactory(CostPoolFactory, organisation=SAME_ORGANISATION)
    service_unit = factory.SubFactory(ServiceUnitFactory, organisation=SAME_ORGANISATION)
    percent = Decimal("25.000")


class FinanceSettingsFactory(OrgOwnedFactory):
    class Meta:
        model = m.FinanceSettings

    staff_hourly_rate = Decimal("36.00")


class TeamStaffRateFactory(OrgOwnedFactory):
    class Meta:
        model = m.TeamStaffRate

    team = factory.SubFactory(TeamFactory, organisation=SAME_ORGANISATION)
    hourly_rate = Decimal("48.00")


FACTORIES = {m.CostCentre: CostCentreFactory, m.Budget: BudgetFactory,
             m.CostLine: CostLineFactory, m.Commitment: CommitmentFactory,
             m.CostPool: CostPoolFactory, m.PoolShare: PoolShareFactory,
             m.FinanceSettings: FinanceSettingsFactory,
             m.TeamStaffRate: TeamStaffRateFactory}
