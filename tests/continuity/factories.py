"""Factories for continuity management's records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.continuity import models as m
from borough.core import references
from tests.catalogue.factories import BusinessServiceFactory
from tests.cmdb.factories import ConfigurationItemFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory, SiteFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class BusinessImpactAnalysisFactory(OrgOwnedFactory):
    class Meta:
        model = m.BusinessImpactAnalysis

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "BIA"))
    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    assessed_on = factory.Sequence(lambda n: datetime.date(2026, 3, 1)
                                   + datetime.timedelta(days=n % 200))
    summary = "Residents cannot pay or claim; the council cannot bill or pay benefits."
    proposed_rto_hours = Decimal("24")
    proposed_rpo_hours = Decimal("4")
    proposed_mto_hours = Decimal("72")


class ImpactRowFactory(OrgOwnedFactory):
    class Meta:
        model = m.ImpactRow

    analysis = factory.SubFactory(BusinessImpactAnalysisFactory, organisation=SAME_ORGANISATION)
    after_hours = factory.Sequence(lambda n: Decimal(4 + n))
    financial = m.Level.MINOR
    reputational = m.Level.MODERATE
    legal = m.Level.NONE
    public_service = m.Level.MAJOR
    notes = "Phones busy; payments queue."


class ContinuityPlanFactory(OrgOwnedFactory):
    class Meta:
        model = m.ContinuityPlan
        skip_postgeneration_save = True

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "CP"))
    title = factory.Sequence(lambda n: f"Disaster recovery plan {n}")
    kind = m.PlanKind.DISASTER_RECOVERY
    site = factory.SubFactory(SiteFactory, organisation=SAME_ORGANISATION)
    scope = "The computer room's servers and storage."
    invocation_criteria = "The computer room is lost or out of reach for more than 2 hours."

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


class PlanContactFactory(OrgOwnedFactory):
    class Meta:
        model = m.PlanContact

    plan = factory.SubFactory(ContinuityPlanFactory, organisation=SAME_ORGANISATION)
    role = factory.Sequence(lambda n: f"Recovery role {n}")
    name = factory.Sequence(lambda n: f"Engineer {n}")
    employer = "Openreach"
    phone = "0800 023 2023"


class PlanStepFactory(OrgOwnedFactory):
    class Meta:
        model = m.PlanStep

    plan = factory.SubFactory(ContinuityPlanFactory, organisation=SAME_ORGANISATION)
    number = factory.Sequence(lambda n: n + 1)
    instruction = "Confirm the loss with the on-call engineer and invoke the plan."
    done_by = "Incident controller"
    expected_minutes = 15


class RecoveryItemFactory(OrgOwnedFactory):
    class Meta:
        model = m.RecoveryItem

    plan = factory.SubFactory(ContinuityPlanFactory, organisation=SAME_ORGANISATION)
    configuration_item = factory.SubFactory(ConfigurationItemFactory,
                                            organisation=SAME_ORGANISATION)
    position = factory.Sequence(lambda n: n + 1)


class ContinuityTestFactory(OrgOwnedFactory):
    class Meta:
        model = m.ContinuityTest
        skip_postgeneration_save = True

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "DRT"))
    plan = factory.SubFactory(ContinuityPlanFactory, organisation=SAME_ORGANISATION)
    scenario = factory.Sequence(lambda n: f"The computer room is lost (exercise {n}).")
    kind = m.TestKind.SIMULATION
    tested_on = factory.Sequence(lambda n: datetime.date(2026, 4, 1)
                                 + datetime.timedelta(days=n % 200))
    result = m.TestResult.PASSED
    achieved_recovery_hours = Decimal("3")
    achieved_data_loss_hours = Decimal("0.5")

    @factory.post_generation
    def measured(self, create, extracted, **kwargs):
        # What recording it through the services keeps: its plan's services' objectives.
        if create:
            self.objectives = m.objectives_of(self.plan)
            self.save(update_fields=["objectives"])


class FollowUpFactory(OrgOwnedFactory):
    class Meta:
        model = m.FollowUp

    test = factory.SubFactory(ContinuityTestFactory, organisation=SAME_ORGANISATION)
    description = factory.Sequence(lambda n: f"Shorten the restore of the database ({n}).")
    owner = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    due_on = datetime.date(2030, 6, 30)


FACTORIES = {m.BusinessImpactAnalysis: BusinessImpactAnalysisFactory,
             m.ImpactRow: ImpactRowFactory, m.ContinuityPlan: ContinuityPlanFactory,
             m.PlanContact: PlanContactFactory, m.PlanStep: PlanStepFactory,
             m.RecoveryItem: RecoveryItemFactory, m.ContinuityTest: ContinuityTestFactory,
             m.FollowUp: FollowUpFactory}
