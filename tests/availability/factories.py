"""Factories for availability management's records."""

from __future__ import annotations

import datetime

import factory

from borough.availability import models as m
from borough.core import references
from tests.catalogue.factories import BusinessServiceFactory
from tests.organisation.factories import OrgOwnedFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class OutageFactory(OrgOwnedFactory):
    """An unplanned outage recorded by hand: two hours of a service down, a day apart
    from the last one made."""

    class Meta:
        model = m.Outage

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "OUT"))
    service = factory.SubFactory(BusinessServiceFactory, organisation=SAME_ORGANISATION)
    started_at = factory.Sequence(lambda n: datetime.datetime(
        2026, 1, 5, 9, 0, tzinfo=datetime.UTC) + datetime.timedelta(days=n))
    ended_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(hours=2))
    kind = m.Kind.UNPLANNED
    source = m.Source.MANUAL
    cause = factory.Sequence(lambda n: f"Database server {n} ran out of disk.")


FACTORIES = {m.Outage: OutageFactory}
