"""Impact analysis for business services, against an independent brute force written
here, on generated graphs with cycles, diamonds and redundancy both between a service's
components and in the CI graph; and the same through the database."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from borough.catalogue import graph
from borough.cmdb import queries as cmdb
from tests.cmdb.test_impact import MemoryGraph, brute_down, random_graph


class MemoryComponents:
    """Components (service, item, label) held in memory, as graph.Components."""

    def __init__(self, components):
        self.rows = [(s, ci, label, pk) for pk, (s, ci, label) in enumerate(components)]

    def of_services(self, service_ids):
        return [r for r in self.rows if r[0] in service_ids]

    def of_services_using(self, item_ids):
        using = {r[0] for r in self.rows if r[1] in item_ids}
        return [r for r in self.rows if r[0] in using]


def random_services(rng, size, count):
    """Services 1..count, each with one to four components among the CIs 0..size-1."""
    components = set()
    for service in range(1, count + 1):
        for item in rng.sample(range(size), rng.randint(1, min(4, size))):
            components.add((service, item, rng.choice(["", "", "web", "db"])))
    return sorted(components)


def brute_stopped(failed, edges, nodes, components):
    """The services that stop when `failed` is lost: a service stops when, for some
    group of its components (a blank label is a group of one), every one is down."""
    down = brute_down({failed}, edges, nodes)
    groups = defaultdict(lambda: defaultdict(set))
    for i, (service, item, label) in enumerate(components):
        groups[service][label or ("alone", i)].add(item)
    return {s for s, service_groups in groups.items()
            if any(members <= down for members in service_groups.values())}


def brute_reaches(service, edges, components):
    """Every CI a service's components lead to, by any relationship (redundancy aside)."""
    seen = {item for s, item, _ in components if s == service}
    changed = True
    while changed:
        changed = False
        for a, b, _ in edges:
            if a in seen and b not in seen:
                seen.add(b)
                changed = True
    return seen


def check_path(path, service, failed, edges, components):
    pairs = {(a, b) for a, b, _ in edges}
    assert path[0] == graph.service_node(service) and path[-1] == failed
    assert (service, path[1]) in {(s, ci) for s, ci, _ in components}
    assert all((path[i], path[i + 1]) in pairs for i in range(1, len(path) - 1)), path
    assert len(set(path)) == len(path), f"a path goes round a cycle: {path}"


def build(seed):
    rng = random.Random(seed)
    size = rng.randint(2, 12)
    edges = random_graph(rng, size)
    components = random_services(rng, size, rng.randint(1, 5))
    services = sorted({s for s, _, _ in components})
    return (graph.ServiceGraph(MemoryGraph(edges), MemoryComponents(components)), edges,
            range(size), components, services)


@pytest.mark.parametrize("seed", range(60))
def test_services_stopped_by_a_ci_agree_with_brute_force(seed):
    services_graph, edges, nodes, components, services = build(seed)
    for failed in nodes:
        found = cmdb.impact_graph(failed, services_graph)
        stopped = {graph.service_id(n) for n in found.affected if graph.is_service(n)}
        assert stopped == brute_stopped(failed, edges, nodes, components)
        assert {n for n in found.affected if not graph.is_service(n)} == (
            brute_down({failed}, edges, nodes) - {failed}), "the CIs stopped are unchanged"
        for node, path in found.paths.items():
            if graph.is_service(node):
                check_path(path, graph.service_id(node), failed, edges, components)


@pytest.mark.parametrize("seed", range(60))
def test_single_points_of_failure_of_services_agree_with_brute_force(seed):
    services_graph, edges, nodes, components, services = build(seed)
    found = cmdb.single_points_of_failure_of_each(
        [graph.service_node(s) for s in services], services_graph)
    for service in services:
        expected = {y for y in nodes if service in brute_stopped(y, edges, nodes, components)}
        assert found[graph.service_node(service)] == expected


@pytest.mark.parametrize("seed", range(60))
def test_what_a_service_depends_on_and_what_a_ci_supports(seed):
    services_graph, edges, nodes, components, services = build(seed)
    pairs = {(a, b) for a, b, _ in edges}
    for service in services:
        found = cmdb.dependency_paths(graph.service_node(service), services_graph)
        assert set(found) == brute_reaches(service, edges, components)
        for item, path in found.items():
            assert path[-1] == item and path[0] == graph.service_node(service)
            assert all((path[i], path[i + 1]) in pairs for i in range(1, len(path) - 1))
    for item in nodes:
        supported = {graph.service_id(n) for n in cmdb.dependent_paths(item, services_graph)
                     if graph.is_service(n)}
        assert supported == {s for s in services
                             if item in brute_reaches(s, edges, components)}


@pytest.mark.parametrize("seed", range(60))
def test_what_the_services_stand_on_answers_as_the_whole_graph(seed):
    # The CI page reads only the closure of the services' components (graph.services_reach):
    # the services stopped and supported, and their paths, are those of the whole graph.
    services_graph, edges, nodes, components, services = build(seed)
    rows = MemoryComponents(components).rows
    reach = graph.services_reach(MemoryGraph(edges), rows)

    def of_services(paths):
        return {n: p for n, p in paths.items() if graph.is_service(n)}

    for failed in nodes:
        assert of_services(cmdb.impact_graph(failed, reach).paths) == of_services(
            cmdb.impact_graph(failed, services_graph).paths)
        assert of_services(cmdb.dependent_paths(failed, reach)) == of_services(
            cmdb.dependent_paths(failed, services_graph))
    assert graph.services_reach(MemoryGraph(edges), []) is None


def test_alternative_components_and_a_shared_switch():
    # Payroll needs the application and either of two web servers; both web servers and
    # the application sit behind one switch.
    app, web_a, web_b, switch = range(4)
    edges = [(app, switch, ""), (web_a, switch, ""), (web_b, switch, "")]
    components = [(1, app, ""), (1, web_a, "web"), (1, web_b, "web")]
    services_graph = graph.ServiceGraph(MemoryGraph(edges), MemoryComponents(components))
    payroll = graph.service_node(1)
    assert payroll not in cmdb.impact_graph(web_a, services_graph).affected
    assert cmdb.impact_graph(switch, services_graph).paths[payroll] == (payroll, app, switch)
    assert cmdb.single_points_of_failure_of_each([payroll], services_graph) == {
        payroll: {app, switch}}


def test_a_cycle_under_a_service_is_walked_once():
    edges = [(1, 0, ""), (2, 1, ""), (0, 2, "")]
    services_graph = graph.ServiceGraph(MemoryGraph(edges), MemoryComponents([(1, 0, "")]))
    assert cmdb.impact_graph(2, services_graph).affected == {0, 1, graph.service_node(1)}
    assert cmdb.single_points_of_failure_of_each([-1], services_graph) == {-1: {0, 1, 2}}
