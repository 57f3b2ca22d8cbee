"""Reads of the catalogue that are more than a filter: which services a configuration
item supports and which stop when it is lost, what a service depends on and its single
points of failure. Other apps read the catalogue through here."""

from __future__ import annotations

from dataclasses import dataclass

from borough.catalogue import graph
from borough.catalogue.models import BusinessService, ServiceComponent, ServiceStatus
from borough.cmdb import queries as cmdb


@dataclass(frozen=True)
class ServicePath:
    """A service and how it reaches a CI: the component that delivers it, what that
    depends on, … the CI."""

    service: BusinessService
    path: tuple

    @property
    def component(self):
        return self.path[0]


@dataclass(frozen=True)
class Dependency:
    """A CI a service depends on, with the path from the component to it."""

    item: object
    path: tuple

    @property
    def depth(self) -> int:
        return len(self.path)


def _services(ids, user) -> dict[int, BusinessService]:
    return {s.pk: s for s in BusinessService.objects.visible_to(user).filter(pk__in=list(ids))}


def _service_paths(found: dict[int, tuple], user) -> list[ServicePath]:
    """{service node: (service node, component CI, …, CI)} as ServicePaths of what the
    user may see, in the order found (nearest first)."""
    rows = {graph.service_id(node): path[1:] for node, path in found.items()
            if graph.is_service(node)}
    services = _services(rows, user)
    items = cmdb.items_by_id({i for path in rows.values() for i in path}, user)
    return [ServicePath(services[pk], tuple(items[i] for i in path))
            for pk, path in rows.items()
            if pk in services and all(i in items for i in path)]


def services_supported_by(item, user) -> list[ServicePath]:
    """Every service (not retired) that depends on `item`, transitively, whether or
    not it has an alternative to it."""
    found = cmdb.dependent_paths(item.pk, graph.database_graph(item.organisation_id))
    return _service_paths(found, user)


def services_stopped_by(item, user) -> list[ServicePath]:
    """The services (not retired) that stop when `item` is lost, redundancy honoured
    between a service's components and in the CI graph, nearest first."""
    found = cmdb.impact_graph(item.pk, graph.database_graph(item.organisation_id))
    return _service_paths(found.paths, user)


def dependencies_of(service: BusinessService, user) -> list[Dependency]:
    """Everything `service` depends on, transitively, nearest first, each with one
    shortest path from the component that delivers it."""
    found = cmdb.dependency_paths(graph.service_node(service.pk),
                                  graph.database_graph(service.organisation_id))
    items = cmdb.items_by_id(found, user)
    return [Dependency(items[i], tuple(items[p] for p in path[1:]))
            for i, path in found.items() if all(p in items for p in path[1:])]


def single_points_of_failure(service: BusinessService, user) -> list:
    """The CIs whose loss alone stops `service`, by name."""
    return single_points_of_each([service], user)[service.pk]


def single_points_of_each(services, user) -> dict[int, list]:
    """{service id: the CIs whose loss alone stops it, by name}, from one walk."""
    services = list(services)
    if not services:
        return {}
    nodes = {graph.service_node(s.pk): s.pk for s in services}
    found = cmdb.single_points_of_failure_of_each(
        nodes, graph.database_graph(services[0].organisation_id))
    items = cmdb.items_by_id({i for ids in found.values() for i in ids}, user)
    return {pk: sorted((items[i] for i in found[node] if i in items),
                       key=lambda ci: (ci.name, ci.pk))
            for node, pk in nodes.items()}


def components_of(service: BusinessService, user) -> list[ServiceComponent]:
    """The service's components, alternatives together, with their items' classes."""
    return list(ServiceComponent.objects.visible_to(user).filter(service=service)
                .select_related("configuration_item__ci_class")
                .order_by("redundancy_group", "configuration_item__name", "pk"))


def live_services(user, criticalities=None):
    """The live services `user` may see, optionally of these criticalities."""
    services = BusinessService.objects.visible_to(user).filter(status=ServiceStatus.LIVE)
    if criticalities:
        services = services.filter(criticality__in=criticalities)
    return services.select_related("service_unit", "owner").order_by("name", "pk")
