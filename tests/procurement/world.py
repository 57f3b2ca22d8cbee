"""A council with Copeland's approval route, for the procurement tests: up to £5,000 the
ICT manager (by role), up to £25,000 the head of finance (named), above that the
Executive (three named members, two approvals needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from borough.core import roles
from borough.procurement import models as m
from borough.procurement import services
from tests.conftest import make_member
from tests.factories import PersonFactory, SupplierFactory
from tests.procurement.factories import (
    ApprovalStepFactory,
    ProcurementOptionFactory,
    ProcurementRequestFactory,
)


@dataclass
class Council:
    org: object
    users: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)

    def person(self, key, role, name):
        user = make_member(self.org, role, f"{self.org.code}-{key}")
        self.users[key] = user
        self.people[key] = PersonFactory(organisation=self.org, user=user, full_name=name)
        return user

    def request(self, value="30000.00", *, by="requester", internal=True, **fields):
        """A draft request raised by `by`, with an external option of `value`
        (recommended) and, unless `internal` is False, a dearer internal one."""
        request = ProcurementRequestFactory(organisation=self.org,
                                            requester=self.people[by], **fields)
        supplier = SupplierFactory(organisation=self.org)
        services.save_option(ProcurementOptionFactory.build(
            organisation=self.org, request=request, description="Hosted system",
            provider=m.Provider.EXTERNAL, supplier=supplier,
            whole_life_cost=Decimal(value), is_recommended=True), actor=None)
        if internal:
            services.save_option(ProcurementOptionFactory.build(
                organisation=self.org, request=request, description="Build it in house",
                provider=m.Provider.INTERNAL, whole_life_cost=Decimal(value) * 2,
                annual_cost=None), actor=None)
        request.refresh_from_db()
        return request


def copeland(org) -> Council:
    council = Council(org)
    council.person("ictmanager", roles.ICT_MANAGER, "Ian Tyson")
    council.person("finance", roles.SERVICE_UNIT_HEAD, "Fiona Nash")
    for key in ("exec1", "exec2", "exec3"):
        council.person(key, roles.SERVICE_UNIT_HEAD, f"Executive member {key[-1]}")
    council.person("requester", roles.TEAM_LEAD, "Rita Quinn")
    council.person("agent", roles.AGENT, "Andy Gale")
    council.person("auditor", roles.AUDITOR, "Audrey Dent")
    ict = ApprovalStepFactory(organisation=org, name="ICT manager", up_to=Decimal("5000"),
                              approver_role=roles.ICT_MANAGER)
    finance = ApprovalStepFactory(organisation=org, name="Head of finance",
                                  up_to=Decimal("25000"), approver_role="")
    finance.approvers.set([council.people["finance"]])
    executive = ApprovalStepFactory(organisation=org, name="Executive", up_to=None,
                                    approver_role="", approvals_needed=2)
    executive.approvers.set([council.people[k] for k in ("exec1", "exec2", "exec3")])
    council.steps = [ict, finance, executive]
    return council
