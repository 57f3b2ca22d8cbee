"""Factories for procurement requests, their options, approval steps and exceptions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.core import references, roles
from borough.procurement import models as m
from tests.commercial.factories import ContractFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class ApprovalStepFactory(OrgOwnedFactory):
    class Meta:
        model = m.ApprovalStep

    name = factory.Sequence(lambda n: f"Approval step {n}")
    up_to = factory.Sequence(lambda n: Decimal(5000 * (n + 1)))
    approver_role = roles.ICT_MANAGER
    approvals_needed = 1


class ProcurementRequestFactory(OrgOwnedFactory):
    class Meta:
        model = m.ProcurementRequest

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "PRQ"))
    title = factory.Sequence(lambda n: f"Replacement system {n}")
    description = "A replacement for a system at the end of its life."
    justification = "The current system is out of support from next March."
    requester = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    funding_source = m.FundingSource.REVENUE
    financial_year = "2026/27"
    cost_centre = "ICT100"


class ProcurementOptionFactory(OrgOwnedFactory):
    class Meta:
        model = m.ProcurementOption

    request = factory.SubFactory(ProcurementRequestFactory, organisation=SAME_ORGANISATION)
    description = factory.Sequence(lambda n: f"Option {n}")
    provider = m.Provider.EXTERNAL
    whole_life_cost = Decimal("12000.00")
    annual_cost = Decimal("4000.00")
    term_months = 36
    benefits = "Supported, hosted, and used by neighbouring councils."
    risks = "Data migration."


class ProcurementExceptionFactory(OrgOwnedFactory):
    class Meta:
        model = m.ProcurementException

    contract = factory.SubFactory(ContractFactory, organisation=SAME_ORGANISATION)
    reason = factory.Sequence(lambda n: f"Emergency replacement {n} after a failure.")
    agreed_by = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    agreed_on = datetime.date(2026, 5, 1)


FACTORIES = {m.ApprovalStep: ApprovalStepFactory, m.ProcurementRequest: ProcurementRequestFactory,
             m.ProcurementOption: ProcurementOptionFactory,
             m.ProcurementException: ProcurementExceptionFactory}
