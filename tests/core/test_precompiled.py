from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F

from borough.accounts.models import User
from borough.core.perf.precompiled import Precompiled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_runs_the_query_with_the_values_given():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    query = Precompiled(lambda user_id: User.objects.filter(pk=user_id)
                        .annotate(shout=F("username")))
    for user in (alice, bob, alice):
        rows = list(query.raw(user_id=user.pk))
        assert [(row.pk, row.username, row.shout) for row in rows] == [
            (user.pk, user.username, user.username)]
        assert isinstance(rows[0], User)
    assert list(query.raw(user_id=0)) == []


def test_compiles_once_and_binds_every_use_of_a_value():
    UserFactory(username="carol", is_active=True)
    dave = UserFactory(username="dave", is_active=False)
    built = []

    def build(user_id, other_id):
        built.append((user_id, other_id))
        return (User.objects.filter(pk__in=[user_id, other_id])
                .exclude(pk=other_id).annotate(n=Count("pk")))

    query = Precompiled(build)
    carol = User.objects.get(username="carol")
    assert [u.username for u in query.raw(user_id=carol.pk, other_id=dave.pk)] == ["carol"]
    assert [u.username for u in query.raw(user_id=dave.pk, other_id=carol.pk)] == ["dave"]
    calls = len(built)
    list(query.raw(user_id=carol.pk, other_id=carol.pk))
    assert len(built) == calls  # nothing built or compiled again


def test_refuses_values_that_are_not_bound_parameters():
    query = Precompiled(lambda user_id: User.objects.all())  # user_id is never used
    with pytest.raises(ImproperlyConfigured, match="not a bound parameter"):
        list(query.raw(user_id=3))


def test_refuses_wrong_or_non_integer_arguments():
    query = Precompiled(lambda user_id: User.objects.filter(pk=user_id))
    with pytest.raises(TypeError, match="takes"):
        query.raw(pk=1)
    with pytest.raises(TypeError, match="must be int"):
        query.raw(user_id="1 OR 1=1")


def test_text_arguments_are_bound_like_integers():
    UserFactory(username="erin"), UserFactory(username="frank")
    query = Precompiled(lambda name, not_id: User.objects.filter(username=name)
                        .exclude(pk=not_id), text=("name",))
    assert [u.username for u in query.raw(name="erin", not_id=0)] == ["erin"]
    assert [u.username for u in query.raw(name="frank'; DROP TABLE x; --", not_id=0)] == []
    assert [u.username for u in query.raw(name="frank", not_id=0)] == ["frank"]
    with pytest.raises(TypeError, match="must be str"):
        query.raw(name=3, not_id=0)
