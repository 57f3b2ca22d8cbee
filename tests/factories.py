"""Factories for tests: one per registered model, used by the declarative suites."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.contrib.auth.models import Group

from borough.accounts.models import Membership, User
from borough.core import references
from borough.organisation import models as m
from borough.servicedesk import models as sd


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Organisation
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Council {n}")
    code = factory.Sequence(lambda n: f"c{n}")
    nation = "england-and-wales"

    @factory.post_generation
    def working_hours(obj, create, extracted, **kwargs):
        if create and not m.WorkingPeriod.objects.filter(organisation=obj).exists():
            for weekday, start, end in m.DEFAULT_WORKING_HOURS:
                m.WorkingPeriod.objects.create(organisation=obj, weekday=weekday, start=start,
                                               end=end)


class OrgOwnedFactory(factory.django.DjangoModelFactory):
    organisation = factory.SubFactory(OrganisationFactory)


class ServiceUnitFactory(OrgOwnedFactory):
    class Meta:
        model = m.ServiceUnit

    name = factory.Sequence(lambda n: f"Service unit {n}")


class SiteFactory(OrgOwnedFactory):
    class Meta:
        model = m.Site

    name = factory.Sequence(lambda n: f"Site {n}")
    town = "Whitehaven"


class PersonFactory(OrgOwnedFactory):
    class Meta:
        model = m.Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")


class TeamFactory(OrgOwnedFactory):
    class Meta:
        model = m.Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(OrgOwnedFactory):
    class Meta:
        model = m.TeamMembership

    team = factory.SubFactory(TeamFactory, organisation=factory.SelfAttribute("..organisation"))
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))


class WorkingPeriodFactory(OrgOwnedFactory):
    class Meta:
        model = m.WorkingPeriod

    weekday = factory.Sequence(lambda n: n % 7)
    start = time(9, 0)
    end = time(12, 0)


class ClosureDayFactory(OrgOwnedFactory):
    class Meta:
        model = m.ClosureDay

    date = factory.Sequence(lambda n: date(2030, 1, 1) + timedelta(days=n))
    name = factory.Sequence(lambda n: f"Closure {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.gov.uk")
    password = factory.django.Password("correct horse battery")


class MembershipFactory(OrgOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = factory.LazyFunction(lambda: Group.objects.get(name="Administrator"))
    is_default = True


class CategoryFactory(OrgOwnedFactory):
    class Meta:
        model = sd.Category

    name = factory.Sequence(lambda n: f"Category {n}")
    ticket_type = sd.TicketType.INCIDENT


class PriorityRuleFactory(OrgOwnedFactory):
    """Walks the nine cells of the matrix, so two rules in a row differ (one per cell)."""

    class Meta:
        model = sd.PriorityRule

    impact = factory.Sequence(lambda n: n % 3 + 1)
    urgency = factory.Sequence(lambda n: (n // 3) % 3 + 1)
    priority = factory.LazyAttribute(lambda o: sd.DEFAULT_MATRIX[(o.impact, o.urgency)])


class SLAPolicyFactory(OrgOwnedFactory):
    class Meta:
        model = sd.SLAPolicy

    name = factory.Sequence(lambda n: f"SLA policy {n}")
    priority = sd.Priority.P3
    response_minutes = 240
    resolution_minutes = 1530


class CannedResponseFactory(OrgOwnedFactory):
    class Meta:
        model = sd.CannedResponse

    title = factory.Sequence(lambda n: f"Canned response {n}")
    body = "Thank you for getting in touch. We are looking into it."


class DeskSettingsFactory(OrgOwnedFactory):
    """One per organisation: a second call for the same organisation returns the first."""

    class Meta:
        model = sd.DeskSettings
        django_get_or_create = ("organisation",)


class TicketFactory(OrgOwnedFactory):
    """A valid new incident, raised by a person of the same organisation. It skips the
    services (no SLA clock or timeline): use services.raise_ticket for lifecycle tests."""

    class Meta:
        model = sd.Ticket

    ticket_type = sd.TicketType.INCIDENT
    reference = factory.LazyAttribute(
        lambda o: references.allocate(o.organisation.pk, sd.Ticket.reference_prefixes[o.ticket_type])
    )
    title = factory.Sequence(lambda n: f"Ticket about fault {n}")
    description = "It stopped working this morning."
    requester = factory.SubFactory(PersonFactory,
                                   organisation=factory.SelfAttribute("..organisation"))


# Model -> factory, for suites that walk the registry.
FACTORIES = {
    m.ServiceUnit: ServiceUnitFactory,
    m.Site: SiteFactory,
    m.Person: PersonFactory,
    m.Team: TeamFactory,
    m.TeamMembership: TeamMembershipFactory,
    m.WorkingPeriod: WorkingPeriodFactory,
    m.ClosureDay: ClosureDayFactory,
    Membership: MembershipFactory,
    sd.Category: CategoryFactory,
    sd.PriorityRule: PriorityRuleFactory,
    sd.SLAPolicy: SLAPolicyFactory,
    sd.CannedResponse: CannedResponseFactory,
    sd.DeskSettings: DeskSettingsFactory,
    sd.Ticket: TicketFactory,
}
