"""Factories for release management's records."""

from __future__ import annotations

import datetime

import factory

from borough.core import references
from borough.releases import models as m
from tests.licences.factories import ApplicationFactory
from tests.organisation.factories import OrgOwnedFactory

SAME_ORGANISATION = factory.SelfAttribute("..organisation")


class ReleaseFactory(OrgOwnedFactory):
    class Meta:
        model = m.Release

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "REL"))
    title = factory.Sequence(lambda n: f"Financials upgrade, release {n}")
    description = "The supplier's new version and the interfaces that change with it."
    release_type = m.ReleaseType.MINOR
    planned_test_date = factory.Sequence(
        lambda n: datetime.date(2030, 1, 7) + datetime.timedelta(days=n))
    planned_live_date = factory.LazyAttribute(
        lambda o: o.planned_test_date + datetime.timedelta(days=14))
    release_notes = "New invoice approval screens; the old purchase order report goes."


class ReleaseItemFactory(OrgOwnedFactory):
    class Meta:
        model = m.ReleaseItem

    release = factory.SubFactory(ReleaseFactory, organisation=SAME_ORGANISATION)
    software = factory.SubFactory(ApplicationFactory, organisation=SAME_ORGANISATION)
    from_version = factory.Sequence(lambda n: f"7.{n}")
    to_version = factory.Sequence(lambda n: f"8.{n}")


FACTORIES = {m.Release: ReleaseFactory, m.ReleaseItem: ReleaseItemFactory}
