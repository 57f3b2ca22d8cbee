"""Factories for the organisation app's records, and the base of every factory of an
organisation's records (`OrgOwnedFactory`)."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory

from borough.organisation import models as m


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


FACTORIES = {
    m.ServiceUnit: ServiceUnitFactory,
    m.Site: SiteFactory,
    m.Person: PersonFactory,
    m.Team: TeamFactory,
    m.TeamMembership: TeamMembershipFactory,
    m.WorkingPeriod: WorkingPeriodFactory,
    m.ClosureDay: ClosureDayFactory,
}
