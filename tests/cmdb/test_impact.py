"""Impact analysis against an independent brute force, on generated graphs with cycles,
diamonds and redundancy; and the same through the database."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from borough.cmdb import impact
from borough.cmdb import models as m
from borough.cmdb.impact import Dependency, group_key


class MemoryGraph:
    """Edges (dependent, dependency, group label) held in memory, as impact.Graph."""

    def __init__(self, edges):
        self.edges = [Dependency(a, b, group_key(a, "depends_on", label, i))
                      for i, (a, b, label) in enumerate(edges)]
        self.calls = 0

    def dependencies_of(self, ids):
        self.calls += 1
        return [e for e in self.edges if e.dependent in ids]

    def dependents_at_risk(self, ids):
        self.calls += 1
        groups = {e.group for e in self.edges if e.dependency in ids}
        return [e for e in self.edges if e.group in groups]

    def closure(self, target):
        return impact.closure_by_levels(target, self)


def brute_down(failed_set, edges, nodes):
    """Written apart from impact.py: repeat over every node until nothing changes."""
    groups = defaultdict(lambda: defaultdict(set))
    for i, (a, b, label) in enumerate(edges):
        groups[a][label or ("alone", i)].add(b)
    down = set(failed_set)
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node not in down and any(members <= down for members in groups[node].values()):
                down.add(node)
                changed = True
    return down


def random_graph(rng, size):
    edges = set()
    for _ in range(rng.randint(size, size * 3)):
        a, b = rng.sample(range(size), 2)
        label = rng.choice(["", "", "", "pair", "trio"])
        edges.add((a, b, label))
    return sorted(edges)


def check_paths(result, failed, edges):
    pairs = {(a, b) for a, b, _ in edges}
    for item, path in result.paths.items():
        assert path[0] == item and path[-1] == failed
        assert all((path[i], path[i + 1]) in pairs for i in range(len(path) - 1)), path
        assert len(set(path)) == len(path), f"a path goes round a cycle: {path}"


@pytest.mark.parametrize("seed", range(60))
def test_impact_and_single_points_agree_with_brute_force(seed):
    rng = random.Random(seed)
    size = rng.randint(2, 14)
    edges = random_graph(rng, size)
    graph, nodes = MemoryGraph(edges), range(size)
    for failed in nodes:
        result = impact.impact(failed, graph)
        assert result.affected == brute_down({failed}, edges, nodes) - {failed}
        check_paths(result, failed, edges)
    for target in nodes:
        expected = {y for y in nodes if y != target and target in brute_down({y}, edges, nodes)}
        assert impact.single_points_of_failure(target, graph) == expected


def test_a_cycle_is_walked_once():
    # 0 <- 1 <- 2 <- 0: losing any one takes all three down, and the walk ends.
    edges = [(1, 0, ""), (2, 1, ""), (0, 2, "")]
    assert impact.impact(0, MemoryGraph(edges)).affected == {1, 2}
    assert impact.single_points_of_failure(0, MemoryGraph(edges)) == {1, 2}


def test_a_diamond_with_redundant_links():
    # The application runs on a server reached over either of two links to one switch.
    app, server, link_a, link_b, switch = range(5)
    edges = [(app, server, ""), (server, link_a, "links"), (server, link_b, "links"),
             (link_a, switch, ""), (link_b, switch, "")]
    graph = MemoryGraph(edges)
    assert impact.impact(link_a, graph).affected == set()
    assert impact.impact(switch, graph).paths == {
        link_a: (link_a, switch), link_b: (link_b, switch),
        server: (server, link_a, switch), app: (app, server, link_a, switch)}
    assert impact.single_points_of_failure(app, graph) == {server, switch}


def test_one_graph_call_per_level_not_per_item():
    # A fan of 50 items on one hub, each with a dependent of its own: two levels.
    edges = [(i, 0, "") for i in range(1, 51)] + [(i + 50, i, "") for i in range(1, 51)]
    graph = MemoryGraph(edges)
    assert len(impact.impact(0, graph).affected) == 100
    assert graph.calls == 3  # two levels that found something, one that found nothing


@pytest.mark.django_db
def test_the_database_graph_gives_the_same_answer(org_a, django_assert_max_num_queries):
    from tests.factories import ConfigurationItemFactory, RelationshipFactory

    rng = random.Random(7)
    edges = random_graph(rng, 12)
    items = [ConfigurationItemFactory(organisation=org_a) for _ in range(12)]
    for a, b, label in edges:
        RelationshipFactory(organisation=org_a, source=items[a], target=items[b],
                            redundancy_group=label)
    # Every dependency type counts alike: "uses" is followed as "depends on" is.
    RelationshipFactory(organisation=org_a, source=items[0], target=items[1],
                        relationship_type=m.RelationshipType.USES)
    edges.append((0, 1, ""))
    graph = impact.DatabaseGraph(org_a.pk)
    ids = [ci.pk for ci in items]
    for failed in range(12):
        with django_assert_max_num_queries(13):
            result = impact.impact(ids[failed], graph)
        expected = brute_down({failed}, edges, range(12)) - {failed}
        assert result.affected == {ids[i] for i in expected}


@pytest.mark.django_db
def test_backed_up_to_is_not_followed(org_a):
    from tests.factories import CIClassFactory, ConfigurationItemFactory, RelationshipFactory

    storage_class = CIClassFactory(organisation=org_a, code="storage")
    server = ConfigurationItemFactory(organisation=org_a)
    nas = ConfigurationItemFactory(organisation=org_a, ci_class=storage_class, attributes={})
    RelationshipFactory(organisation=org_a, source=server, target=nas,
                        relationship_type=m.RelationshipType.BACKED_UP_TO)
    assert impact.impact(nas.pk, impact.DatabaseGraph(org_a.pk)).affected == set()
