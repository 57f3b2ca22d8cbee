import datetime

import factory
from django.utils import timezone

from borough.core import references
from borough.status import models as m
from tests.accounts.factories import UserFactory
from tests.catalogue.factories import BusinessServiceFactory
from tests.organisation.factories import OrgOwnedFactory


class AnnouncementFactory(OrgOwnedFactory):
    """An open announcement made directly (no emails): use status.services.announce to
    tell subscribers."""

    class Meta:
        model = m.Announcement

    reference = factory.LazyAttribute(lambda o: references.allocate(o.organisation.pk, "STA"))
    title = factory.Sequence(lambda n: f"Email is slow {n}")
    kind = m.Kind.DEGRADED
    description = "Messages take up to an hour to arrive."
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0, second=0)
                                     - datetime.timedelta(hours=1))


class SubscriptionFactory(OrgOwnedFactory):
    class Meta:
        model = m.Subscription

    service = factory.SubFactory(BusinessServiceFactory,
                                 organisation=factory.SelfAttribute("..organisation"))
    user = factory.SubFactory(UserFactory)


FACTORIES = {m.Announcement: AnnouncementFactory, m.Subscription: SubscriptionFactory}
