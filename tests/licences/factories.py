"""Factories for software licences, their entitlements and counts entered by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.cmdb.defaults import APPLICATION_ATTRIBUTES
from borough.cmdb.models import CIClass
from borough.core import references
from borough.licences import models as m
from tests.cmdb.factories import ConfigurationItemFactory
from tests.commercial.factories import SupplierFactory
from tests.organisation.factories import OrgOwnedFactory, PersonFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


def application_class(organisation) -> CIClass:
    """The shipped application class of `organisation` (got, or made): one per
    organisation, also when a record is only built (the suites build, then save)."""
    return CIClass.objects.get_or_create(
        organisation=organisation, code="application",
        defaults={"name": "Application",
                  "attribute_schema": [dict(a) for a in APPLICATION_ATTRIBUTES]})[0]


class ApplicationFactory(ConfigurationItemFactory):
    name = factory.Sequence(lambda n: f"Application {n}")
    ci_class = factory.LazyAttribute(lambda o: application_class(o.organisation))
    attributes = factory.LazyFunction(lambda: {"number_of_users": 40})


class LicenceFactory(OrgOwnedFactory):
    class Meta:
        model = m.Licence

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "LIC"))
    name = factory.Sequence(lambda n: f"Licence {n}")
    software = factory.SubFactory(ApplicationFactory, organisation=SAME_ORGANISATION)
    supplier = factory.SubFactory(SupplierFactory, organisation=SAME_ORGANISATION)
    licence_model = m.LicenceModel.NAMED_USER
    counted_from = m.CountedFrom.USERS


class EntitlementFactory(OrgOwnedFactory):
    class Meta:
        model = m.Entitlement

    licence = factory.SubFactory(LicenceFactory, organisation=SAME_ORGANISATION)
    quantity = 50
    term_start = datetime.date(2026, 4, 1)
    term_end = datetime.date(2027, 3, 31)
    cost = Decimal("4250.00")
    order_reference = factory.Sequence(lambda n: f"PO{n:06d}")


class ConsumptionCountFactory(OrgOwnedFactory):
    class Meta:
        model = m.ConsumptionCount

    licence = factory.SubFactory(LicenceFactory, organisation=SAME_ORGANISATION,
                                 licence_model=m.LicenceModel.CONCURRENT,
                                 counted_from=m.CountedFrom.ENTERED)
    count = factory.Sequence(lambda n: 10 + n % 50)
    counted_on = factory.Sequence(lambda n: datetime.date(2026, 1, 1)
                                  + datetime.timedelta(days=n % 300))
    counted_by = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    how = "Peak concurrent users from the supplier's portal"


FACTORIES = {m.Licence: LicenceFactory, m.Entitlement: EntitlementFactory,
             m.ConsumptionCount: ConsumptionCountFactory}
