"""The schedule's conflicts from the organisation's dependency graph kept by the process
(cmdb.graphcache) are those the closure read from the database gives: the folded graph's
reach against `reachable` on generated graphs with cycles, then whole schedules both
ways; and the kept graph follows every kind of write to the relationships (the
generation the triggers move), one organisation's never another's."""

from __future__ import annotations

import datetime
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.changes import queries
from borough.changes import schedule as rules
from borough.changes.models import PLANNED, Change, ChangeType
from borough.cmdb import graphcache
from borough.cmdb import models as m
from borough.cmdb import queries as cmdb
from borough.core.perf.cache import clear_all
from tests.cmdb.test_impact_database import generated, write

START = datetime.datetime(2030, 3, 4, tzinfo=datetime.UTC)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.tuples(st.integers(1, 30), st.integers(1, 30)), max_size=70),
       st.sets(st.integers(1, 34), max_size=15))
def test_the_folded_graph_reaches_what_the_edges_reach(edges, among):
    folded = graphcache.fold(edges)
    assert rules.reachable_in(*folded, among) == rules.reachable(edges, among)


def test_fold_numbers_dependencies_first_and_keeps_cycles_whole():
    # 1 -> 2 -> 3 -> 2 (a cycle of 2 and 3), 3 -> 4.
    component, below, cyclic = graphcache.fold({(1, 2), (2, 3), (3, 2), (3, 4), (5, 5)})
    assert component[2] == component[3] and cyclic == {component[2]}
    for number, lower in enumerate(below):
        assert all(n < number for n in lower)
    assert 5 not in component  # an edge to itself is no dependency


def _old_reach(organisation_id, among):
    pairs = cmdb.closure_pairs(among, cmdb.DatabaseGraph(organisation_id))
    return rules.reachable(pairs, among)


def _changes(organisation, ids, rng, count=40):
    made = Change.objects.bulk_create([Change(
        organisation=organisation, reference=f"CHG-{organisation.pk}{n:05d}", title=f"C {n}",
        status=rng.choice(sorted(PLANNED)), change_type=rng.choice(list(ChangeType)),
        planned_start=START + datetime.timedelta(hours=rng.randrange(0, 72)),
        planned_end=START + datetime.timedelta(hours=rng.randrange(73, 90)))
        for n in range(count)])
    Change.configuration_items.through.objects.bulk_create([
        Change.configuration_items.through(change_id=c.pk, configurationitem_id=i)
        for c in made for i in rng.sample(ids, rng.randint(1, 3))])
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(4))
def test_the_schedule_from_the_kept_graph_is_the_schedule_from_the_database(org_a, org_b,
                                                                            seed):
    rng = random.Random(seed)
    size = rng.randint(15, 40)
    ids = write(org_a, size, generated(rng, size), rng,
                noise=[tuple(rng.sample(range(size), 2)) for _ in range(4)])
    write(org_b, size, generated(rng, size), rng)  # another council's, never read for A's
    for _ in range(5):
        among = set(rng.sample(ids, rng.randint(1, size)))
        kept = graphcache.dependency_graph(org_a.pk)
        assert rules.reachable_in(kept.component, kept.below, kept.cyclic, among) == \
            _old_reach(org_a.pk, among)
    changes = _changes(org_a, ids, rng)
    changes = list(Change.objects.filter(pk__in=[c.pk for c in changes])
                   .order_by("planned_start", "pk"))
    clear_all()  # nothing kept: the closure is read from the database
    old = queries.conflicts_for(org_a.pk, changes, [], many=False)[0].conflicts
    assert graphcache.kept_dependency_graph(org_a.pk) is None
    new = queries.conflicts_for(org_a.pk, changes, [], many=True)[0].conflicts
    assert graphcache.kept_dependency_graph(org_a.pk) is not None
    assert sorted(map(repr, new)) == sorted(map(repr, old))
    assert any(c.kind == rules.DEPENDENT_ITEM for c in old)


@pytest.mark.django_db
def test_every_kind_of_write_to_the_relationships_moves_the_kept_graph(org_a, org_b):
    rng = random.Random(3)
    ids = write(org_a, 6, [(0, 1, ""), (1, 2, ""), (3, 4, "")], rng)
    other = write(org_b, 3, [(0, 1, "")], rng)
    reach = lambda among: rules.reachable_in(  # noqa: E731
        *(lambda g: (g.component, g.below, g.cyclic))(graphcache.dependency_graph(org_a.pk)),
        among)
    b_graph = graphcache.dependency_graph(org_b.pk)
    b_generation = graphcache.generation(org_b.pk)
    assert set(b_graph.component) == set(other[:2])  # none of A's items
    assert reach({ids[0], ids[2], ids[3], ids[5]})[ids[0]] == {ids[2]}

    # Created through the ORM (one row).
    m.Relationship.objects.create(organisation=org_a, source_id=ids[2], target_id=ids[3],
                                  relationship_type="depends_on")
    assert reach({ids[0], ids[4]})[ids[0]] == {ids[4]}
    # Changed in bulk to a kind that is not followed.
    m.Relationship.objects.filter(source_id=ids[2], target_id=ids[3]).update(
        relationship_type="backed_up_to")
    assert reach({ids[0], ids[4]})[ids[0]] == set()
    # A bulk load.
    m.Relationship.objects.bulk_create([m.Relationship(
        organisation=org_a, source_id=ids[4], target_id=ids[5], relationship_type="uses")])
    assert reach({ids[3], ids[5]})[ids[3]] == {ids[5]}
    # Deleted by the cascade from an item.
    m.ConfigurationItem.objects.filter(pk=ids[4]).delete()
    assert reach({ids[3], ids[5]})[ids[3]] == set()
    # A cycle made in raw SQL.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cmdb_relationship SET target_id = %s, relationship_type = "
                       "'runs_on' WHERE source_id = %s AND target_id = %s",
                       [ids[0], ids[2], ids[3]])
    assert reach({ids[0], ids[1], ids[2]}) == {ids[0]: {ids[1], ids[2]},
                                               ids[1]: {ids[0], ids[2]},
                                               ids[2]: {ids[0], ids[1]}}
    # None of it moved the other council's.
    assert graphcache.generation(org_b.pk) == b_generation
    assert graphcache.dependency_graph(org_b.pk) is b_graph


@pytest.mark.django_db
def test_a_generation_is_written_where_there_is_none_and_never_repeats(org_a):
    first = graphcache.generation(org_a.pk)
    assert graphcache.generation(org_a.pk) == first
    m.GraphGeneration.objects.all().delete()  # as a test database's flush leaves it
    assert graphcache.generation(org_a.pk) > first
