"""The database's graph (only the groups a level may lose; the closure in one recursive
query) gives what the in-memory walk gives, on generated graphs, on SQLite and PostgreSQL
alike (run with DATABASE_URL for the second)."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from borough.cmdb import impact
from borough.cmdb import models as m
from tests.cmdb.test_impact import MemoryGraph, brute_down

LABELS = ["", "", "", "pair", "Pair ", "trio", "  "]  # labels match trimmed, in any case
DEPENDENCE = ["depends_on", "uses", "runs_on", "connects_to", "located_at"]


def generated(rng, size):
    """(a, b, label) edges with cycles, diamonds and redundancy, as test_impact makes them,
    with labels that differ only in case and spaces."""
    edges = {}
    for _ in range(rng.randint(size, size * 3)):
        a, b = rng.sample(range(size), 2)
        edges[(a, b)] = rng.choice(LABELS)
    return sorted((a, b, label) for (a, b), label in edges.items())


def write(organisation, size, edges, rng, *, noise=()):
    """CIs 0..size-1 (ids ascending, so ties break alike) and the edges as relationships:
    each unlabelled one of any dependence type, the labelled ones all "runs on" (a group
    is its source, type and label); `noise` edges are "backed up to", not followed."""
    from tests.cmdb.factories import CIClassFactory

    ci_class = CIClassFactory(organisation=organisation)
    items = m.ConfigurationItem.objects.bulk_create([
        m.ConfigurationItem(organisation=organisation, ci_class=ci_class, name=f"CI {i}",
                            reference=f"CI-{organisation.pk}{i:05d}") for i in range(size)])
    ids = [item.pk for item in items]
    m.Relationship.objects.bulk_create(
        [m.Relationship(organisation=organisation, source_id=ids[a], target_id=ids[b],
                        relationship_type="runs_on" if label.strip() else rng.choice(DEPENDENCE),
                        redundancy_group=label)
         for a, b, label in edges]
        + [m.Relationship(organisation=organisation, source_id=ids[a], target_id=ids[b],
                          relationship_type="backed_up_to") for a, b in noise])
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_the_database_walks_give_the_in_memory_answers(org_a, org_b, seed):
    rng = random.Random(seed)
    size = rng.randint(12, 40)
    edges = generated(rng, size)
    noise = [tuple(rng.sample(range(size), 2)) for _ in range(5)]
    noise = [(a, b) for a, b in noise if not any((a, b) == e[:2] for e in edges)]
    ids = write(org_a, size, edges, rng, noise=noise)
    # Another organisation's estate, on the same ids' neighbours, is never read.
    write(org_b, size, [(b, a, "") for a, b, _ in edges], rng)
    memory = MemoryGraph(edges)
    normalised = [(a, b, label.strip().lower()) for a, b, label in edges]
    database = impact.DatabaseGraph(org_a.pk)
    to_id = dict(enumerate(ids))
    for item in range(size):
        found = impact.impact(ids[item], database)
        expected = impact.impact(item, memory)
        assert found.paths == {to_id[k]: tuple(to_id[p] for p in path)
                               for k, path in expected.paths.items()}
        assert found.affected == {to_id[i] for i in brute_down({item}, normalised, range(size))
                                  - {item}}
        with CaptureQueriesContext(connection) as captured:
            closure = database.closure(ids[item])
        if connection.vendor == "postgresql":  # one recursive query; SQLite: one per level
            assert len(captured) == 1
        assert sorted((e.dependent, e.dependency, e.group) for e in closure) == sorted(
            (e.dependent, e.dependency, e.group)
            for e in impact.closure_by_levels(ids[item], database))
        assert impact.single_points_of_failure(ids[item], database) == {
            to_id[i] for i in impact.single_points_of_failure(item, memory)}


@pytest.mark.django_db
def test_a_level_reads_only_the_groups_it_may_lose(org_a):
    # The app runs on either of two servers and uses a database; the database also runs
    # on a server of its own. Losing server 1 puts only the app's "servers" group at risk.
    rng = random.Random(1)
    app, server1, server2, db, server3 = range(5)
    edges = [(app, server1, "servers"), (app, server2, "servers"), (app, db, ""),
             (db, server3, "")]
    ids = write(org_a, 5, edges, rng)
    at_risk = impact.DatabaseGraph(org_a.pk).dependents_at_risk({ids[server1]})
    assert sorted((e.dependent, e.dependency) for e in at_risk) == [
        (ids[app], ids[server1]), (ids[app], ids[server2])]


@pytest.mark.django_db
def test_a_hub_is_walked_in_one_query_per_level(org_a, django_assert_num_queries):
    # 60 desktops use one build; 60 more use a desktop each (a second level).
    rng = random.Random(2)
    edges = [(i, 0, "") for i in range(1, 61)] + [(i + 60, i, "") for i in range(1, 61)]
    ids = write(org_a, 121, edges, rng)
    with django_assert_num_queries(3):  # two levels that lost something, one that did not
        assert len(impact.impact(ids[0], impact.DatabaseGraph(org_a.pk)).affected) == 120


@pytest.mark.django_db
def test_a_hubs_page_lists_the_nearest_and_counts_the_rest(org_a, admin_a, signed_in,
                                                           monkeypatch):
    from borough.cmdb import views

    monkeypatch.setattr(views, "LISTED", 3)
    rng = random.Random(3)
    edges = [(i, 0, "") for i in range(1, 6)] + [(6, 1, "")]  # five on the hub, one beyond
    ids = write(org_a, 7, edges, rng)
    client = signed_in(admin_a)
    url = f"/configuration/items/{ids[0]}/"
    page = client.get(url).content.decode()
    assert "6 configuration items stop; the nearest 3:" in page
    assert page.count("Through:") == 3
    assert "Show all 6" in page
    assert f"?target={ids[0]}\">All 5 relationships to CI 0" in page
    every = client.get(url, {"affected": "all"}).content.decode()
    assert "6 configuration items stop, nearest first:" in every
    assert every.count("Through:") == 6
    one = client.get(f"/configuration/items/{ids[1]}/").content.decode()
    assert "1 configuration item stops, nearest first:" in one
    assert "All 1 relationships" not in one
