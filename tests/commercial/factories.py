"""Factories for suppliers and contracts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.commercial import models as m
from borough.core import references
from tests.cmdb.factories import ConfigurationItemFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class SupplierCategoryFactory(OrgOwnedFactory):
    class Meta:
        model = m.SupplierCategory

    name = factory.Sequence(lambda n: f"Category {n}")


class SupplierFactory(OrgOwnedFactory):
    class Meta:
        model = m.Supplier

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "SUP"))
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    company_number = factory.Sequence(lambda n: f"{n % 100_000_000:08d}")
    manager = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)


class SupplierContactFactory(OrgOwnedFactory):
    class Meta:
        model = m.SupplierContact

    supplier = factory.SubFactory(SupplierFactory, organisation=SAME_ORGANISATION)
    name = factory.Sequence(lambda n: f"Contact {n}")
    role = "Account manager"
    email = factory.Sequence(lambda n: f"contact{n}@supplier.example")


class ContractFactory(OrgOwnedFactory):
    class Meta:
        model = m.Contract

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "CON"))
    title = factory.Sequence(lambda n: f"Support contract {n}")
    supplier = factory.SubFactory(SupplierFactory, organisation=SAME_ORGANISATION)
    owner = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    annual_value = Decimal("12500.00")
    whole_life_value = Decimal("37500.00")
    start_date = datetime.date(2026, 4, 1)
    end_date = datetime.date(2029, 3, 31)
    notice_period = 3


class ContractCoverFactory(OrgOwnedFactory):
    class Meta:
        model = m.ContractCover

    contract = factory.SubFactory(ContractFactory, organisation=SAME_ORGANISATION)
    configuration_item = factory.SubFactory(ConfigurationItemFactory,
                                            organisation=SAME_ORGANISATION)
    note = factory.Sequence(lambda n: f"Support and maintenance {n}")


class CommercialSettingsFactory(OrgOwnedFactory):
    class Meta:
        model = m.CommercialSettings

    alert_days = "120, 60, 14"


class ReviewCriterionFactory(OrgOwnedFactory):
    class Meta:
        model = m.ReviewCriterion

    name = factory.Sequence(lambda n: f"Criterion {n}")
    description = "How well it does this."


class SupplierReviewFactory(OrgOwnedFactory):
    class Meta:
        model = m.SupplierReview

    supplier = factory.SubFactory(SupplierFactory, organisation=SAME_ORGANISATION)
    held_on = datetime.date(2026, 1, 15)
    reviewer = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    service_levels = "All P1 responses within the hour."
    actions = "Supplier to send monthly reports."


class SupplierReviewScoreFactory(OrgOwnedFactory):
    class Meta:
        model = m.SupplierReviewScore

    review = factory.SubFactory(SupplierReviewFactory, organisation=SAME_ORGANISATION)
    criterion = factory.SubFactory(ReviewCriterionFactory, organisation=SAME_ORGANISATION)
    score = 4
    comment = "Good"


class UncontractedSystemFactory(OrgOwnedFactory):
    class Meta:
        model = m.UncontractedSystem

    configuration_item = factory.SubFactory(ConfigurationItemFactory,
                                            organisation=SAME_ORGANISATION)
    reason = m.NoContractReason.IN_HOUSE
    explanation = "Written and supported by the ICT applications team."


FACTORIES = {m.SupplierCategory: SupplierCategoryFactory, m.Supplier: SupplierFactory,
             m.SupplierContact: SupplierContactFactory, m.Contract: ContractFactory,
             m.ContractCover: ContractCoverFactory,
             m.CommercialSettings: CommercialSettingsFactory,
             m.ReviewCriterion: ReviewCriterionFactory,
             m.SupplierReview: SupplierReviewFactory,
             m.SupplierReviewScore: SupplierReviewScoreFactory,
             m.UncontractedSystem: UncontractedSystemFactory}
