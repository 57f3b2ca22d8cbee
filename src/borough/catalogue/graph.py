"""Business services on the CMDB's impact graph.

A service is a node of its own, numbered `-service_id` so it never meets a CI's id, that
depends on the configuration items delivering it (its components). Components of one
service with the same redundancy group label are alternatives, exactly as relationships
of one CI with the same source, type and label are (docs/cmdb.md): the service stops
when, for some group, every alternative is down. Everything else — the walk, redundancy
in the CI graph, cycles, single points of failure — is the CMDB's impact analysis,
unchanged, run over this wider graph.

`ServiceGraph` is pure: it takes the CI graph and a `Components` source. The database
ones (`cmdb.queries.DatabaseGraph`, `DatabaseComponents`) read one query per call each;
tests pass in-memory ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from borough.cmdb.queries import (
    CHUNK,
    DatabaseGraph,
    Dependency,
    MemoryGraph,
    closure_of_set,
    group_key,
)

# The "relationship type" of a service's dependence on its components, in group keys.
COMPONENT = "component"


def service_node(service_id: int) -> int:
    return -service_id


def is_service(node: int) -> bool:
    return node < 0


def service_id(node: int) -> int:
    return -node


class Components(Protocol):
    def of_services(self, service_ids: set[int]) -> list[tuple[int, int, str, int]]:
        """(service id, CI id, redundancy group, component id) of each component of
        these services."""

    def of_services_using(self, item_ids: set[int]) -> list[tuple[int, int, str, int]]:
        """The same rows, of every service that has one of these CIs as a component."""


class ServiceGraph:
    """The CI graph with services added as dependents of their components."""

    def __init__(self, items, components: Components):
        self.items = items
        self.components = components

    @staticmethod
    def _edges(rows) -> list[Dependency]:
        return [Dependency(service_node(svc), item, group_key(service_node(svc), COMPONENT,
                                                              label, pk))
                for svc, item, label, pk in rows]

    def dependencies_of(self, ids: set[int]) -> list[Dependency]:
        items = {i for i in ids if not is_service(i)}
        services = {service_id(i) for i in ids if is_service(i)}
        edges = self.items.dependencies_of(items) if items else []
        if services:
            edges = edges + self._edges(self.components.of_services(services))
        return edges

    def dependents_at_risk(self, ids: set[int]) -> list[Dependency]:
        # Nothing depends on a service: only CIs have dependents. Every component of a
        # service using one of `ids` comes back, so each of its groups is seen whole.
        items = {i for i in ids if not is_service(i)}
        if not items:
            return []
        return (self.items.dependents_at_risk(items)
                + self._edges(self.components.of_services_using(items)))

    def closure(self, target: int) -> list[Dependency]:
        """A CI's closure is the CMDB's; a service's is its components' edges and each
        component's closure (one read per component not already inside another's)."""
        if not is_service(target):
            return self.items.closure(target)
        edges = self._edges(self.components.of_services({service_id(target)}))
        walked: set[int] = set()
        for component in sorted({e.dependency for e in edges}):
            if component in walked:
                continue
            more = self.items.closure(component)
            walked.add(component)
            walked.update(e.dependency for e in more)
            edges += more
        return edges


def _chunks(ids: Iterable[int]):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


class MemoryComponents:
    """Components (service id, CI id, redundancy group, component id) held in memory, as
    `Components`."""

    def __init__(self, rows: Iterable[tuple[int, int, str, int]]):
        self.rows = list(rows)

    def of_services(self, service_ids):
        return [r for r in self.rows if r[0] in service_ids]

    def of_services_using(self, item_ids):
        using = {r[0] for r in self.rows if r[1] in item_ids}
        return [r for r in self.rows if r[0] in using]


def services_reach(items, rows) -> ServiceGraph | None:
    """The part of the graph the services stand on, read once and held in memory: their
    components (`rows`, as Components gives them) and everything those depend on, one
    read per level of the estate however big (`items`: the CI graph, read from).

    What stops when a CI is lost, and what depends on it, is decided for each item by
    the items it depends on, so over this part the impact walk and `dependent_paths` give
    the services exactly what they give over the whole graph; a hub's tens of thousands
    of dependents that no service stands on are never read."""
    if not rows:
        return None
    return ServiceGraph(MemoryGraph(closure_of_set({r[1] for r in rows}, items)),
                        MemoryComponents(rows))


class DatabaseComponents:
    """The components of one organisation's services that are not retired (a retired
    service stops nothing and has nothing to lose)."""

    def __init__(self, organisation_id: int):
        from borough.catalogue.models import ServiceComponent, ServiceStatus

        self.components = ServiceComponent.objects.filter(
            organisation_id=organisation_id).exclude(service__status=ServiceStatus.RETIRED)

    def all(self):
        """Every component of a service not retired: as many as the catalogue has, a
        few per service."""
        return self._rows(self.components.order_by("pk"))

    def _rows(self, queryset):
        return list(queryset.values_list("service_id", "configuration_item_id",
                                         "redundancy_group", "pk"))

    def of_services(self, service_ids):
        rows = []
        for chunk in _chunks(service_ids):
            rows += self._rows(self.components.filter(service_id__in=chunk))
        return rows

    def of_services_using(self, item_ids):
        rows = []
        for chunk in _chunks(item_ids):
            using = self.components.filter(configuration_item_id__in=chunk).values("service_id")
            rows += self._rows(self.components.filter(service_id__in=using))
        return rows


def database_graph(organisation_id: int) -> ServiceGraph:
    return ServiceGraph(DatabaseGraph(organisation_id), DatabaseComponents(organisation_id))
