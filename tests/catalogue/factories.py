"""Factories for the service catalogue's records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from borough.catalogue import models as m
from borough.core import references
from tests.cmdb.factories import ConfigurationItemFactory
from tests.organisation.factories import (
    OrgOwnedFactory,
    PersonFactory,
    ServiceUnitFactory,
    TeamFactory,
)

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class BusinessServiceFactory(OrgOwnedFactory):
    class Meta:
        model = m.BusinessService

    name = factory.Sequence(lambda n: f"Service {n}")
    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "SVC"))
    status = m.ServiceStatus.LIVE
    availability_target = Decimal("99.50")
    rto_hours = Decimal("4")
    rpo_hours = Decimal("1")
    mto_hours = Decimal("24")


class ServiceComponentFactory(OrgOwnedFactory):
    class Meta:
        model = m.ServiceComponent

    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    configuration_item = factory.SubFactory(ConfigurationItemFactory,
                                            organisation=SAME_ORGANISATION)
    role = "the application"


class ServiceLevelAgreementFactory(OrgOwnedFactory):
    class Meta:
        model = m.ServiceLevelAgreement

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "SLA"))
    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    customer_service_unit = factory.SubFactory(ServiceUnitFactory,
                                               organisation=SAME_ORGANISATION)
    signatory = factory.SubFactory(PersonFactory, organisation=SAME_ORGANISATION)
    availability_target = Decimal("99.00")
    p1_response_hours = Decimal("0.5")
    p1_resolution_hours = Decimal("4")
    start_date = datetime.date(2026, 4, 1)
    review_date = datetime.date(2027, 3, 31)


class OperationalLevelAgreementFactory(OrgOwnedFactory):
    class Meta:
        model = m.OperationalLevelAgreement

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "OLA"))
    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    provider_team = factory.SubFactory(TeamFactory, organisation=SAME_ORGANISATION)
    receiving_team = factory.SubFactory(TeamFactory, organisation=SAME_ORGANISATION)
    provides = factory.Sequence(lambda n: f"Network fault repair {n}")
    review_date = datetime.date(2027, 3, 31)


FACTORIES = {m.BusinessService: BusinessServiceFactory,
             m.ServiceComponent: ServiceComponentFactory,
             m.ServiceLevelAgreement: ServiceLevelAgreementFactory,
             m.OperationalLevelAgreement: OperationalLevelAgreementFactory}
