"""Factories for accounts: users and memberships."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from borough.accounts.models import Membership, User
from tests.organisation.factories import OrgOwnedFactory


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


FACTORIES = {Membership: MembershipFactory}
