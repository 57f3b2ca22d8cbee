"""core.perf: the per-process cache and the organisation's config stamp."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
from django.db import transaction

from borough.core import services
from borough.core.perf import cache as cache_module
from borough.core.perf import stamps
from borough.core.perf.cache import LocalCache, caches, clear_all
from borough.organisation.models import ClosureDay, Organisation, Person, WorkingPeriod
from tests.factories import OrganisationFactory

# --- LocalCache ---------------------------------------------------------------------------


@pytest.fixture
def cache(request):
    made = LocalCache(f"test-{request.node.name}", size=3)
    yield made
    del cache_module._caches[made.name]


def test_builds_once_per_key(cache):
    built = []

    def build(value):
        built.append(value)
        return value

    assert cache.get_or_build("a", lambda: build(1)) == 1
    assert cache.get_or_build("a", lambda: build(2)) == 1
    assert cache.get_or_build("b", lambda: build(3)) == 3
    assert built == [1, 3] and (cache.hits, cache.misses) == (1, 2)


def test_keeps_the_most_recently_used(cache):
    for key in "abc":
        cache.get_or_build(key, lambda k=key: k)
    cache.get_or_build("a", lambda: "again")  # used: now the most recent
    cache.get_or_build("d", lambda: "d")  # one too many: "b", the least recent, goes
    assert len(cache) == 3
    assert cache.get_or_build("a", lambda: "rebuilt") == "a"
    assert cache.get_or_build("b", lambda: "rebuilt") == "rebuilt"


def test_clear_empties_every_cache(cache):
    cache.get_or_build("a", lambda: 1)
    assert caches()[cache.name] is cache
    clear_all()
    assert len(cache) == 0 and cache.get_or_build("a", lambda: 2) == 2


def test_a_name_is_taken_once(cache):
    with pytest.raises(ValueError, match="exists already"):
        LocalCache(cache.name)


def test_threads_share_one_cache(cache):
    got = []

    def reader():
        for n in range(200):
            got.append(cache.get_or_build(n % 5, lambda n=n: n % 5))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 800 and all(isinstance(v, int) for v in got) and len(cache) <= 3


# --- the config stamp ---------------------------------------------------------------------


def stamp(org) -> int:
    return Organisation.objects.values_list("config_version", flat=True).get(pk=org.pk)


@pytest.mark.django_db
def test_writes_of_a_feeding_model_through_the_services_raise_the_stamp():
    org, other = OrganisationFactory(), OrganisationFactory()
    start = stamp(org)
    period = services.create_record(
        WorkingPeriod(organisation=org, weekday=5, start=time(9), end=time(12)), actor=None)
    assert stamp(org) == start + 1
    services.update_record(period, actor=None, data={"end": time(13)}, expected_version=None)
    assert stamp(org) == start + 2
    services.update_record(period, actor=None, data={"end": time(13)}, expected_version=None)
    assert stamp(org) == start + 2  # nothing changed, nothing to see
    services.delete_record(period, actor=None, expected_version=None)
    assert stamp(org) == start + 3
    assert stamp(other) == 1


@pytest.mark.django_db
def test_a_model_that_feeds_no_cache_leaves_the_stamp_alone():
    org = OrganisationFactory()
    assert not stamps.feeds_config_caches(Person)
    services.create_record(Person(organisation=org, full_name="Ann Other"), actor=None)
    assert stamp(org) == 1


@pytest.mark.django_db
def test_the_organisations_own_change_raises_it_and_the_instance_follows():
    org = OrganisationFactory(nation="england-and-wales")
    changed = services.update_record(org, actor=None, data={"nation": "scotland"},
                                     expected_version=None)
    assert changed.config_version == stamp(org) == 2


@pytest.mark.django_db
def test_a_write_rolled_back_takes_its_stamp_with_it():
    org = OrganisationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_record(ClosureDay(organisation=org, date=date(2030, 1, 2), name="x"),
                               actor=None)
        assert stamp(org) == 2
        raise RuntimeError
    assert stamp(org) == 1 and not ClosureDay.objects.exists()


@pytest.mark.django_db
def test_the_stamp_is_no_field_of_forms_api_or_audit():
    org = OrganisationFactory()
    services.update_record(org, actor=None, data={"name": "Renamed"}, expected_version=None)
    from borough.core.models import AuditEvent

    assert all("config_version" not in e.changes for e in AuditEvent.objects.all())
    assert not Organisation._meta.get_field("config_version").editable
